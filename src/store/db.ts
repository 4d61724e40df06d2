import Database from "better-sqlite3";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type Db = Database.Database;

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Numbered `NNN_name.sql` files, in order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{3}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: readFileSync(join(dir, file), "utf8"),
    }));
}

/**
 * Open (creating folder and file on demand) and migrate. `:memory:` gives a private database, as the
 * tests use. WAL lets the Slack app read while a sync writes; the busy timeout covers the CLI and the
 * app writing at the same moment.
 */
export function openDatabase(path: string, migrations: readonly Migration[] = loadMigrations()): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db, migrations);
  return db;
}

/** Apply every migration newer than the database, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > latest) {
    // A database written by a newer Vitals may hold data this code would misread.
    throw new Error(`database schema version ${current} is newer than this Vitals (${latest}); upgrade Vitals`);
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
