import { existsSync, statSync } from "node:fs";
import { redactDatabaseUrl } from "../../config/env.js";
import { copySqliteToPostgres, openCopySource, StoreCopyError } from "../../store/postgres/copy.js";
import { createPool } from "../../store/postgres/pool.js";
import { UsageError, type CliCommand, type CommandContext } from "../context.js";

const DEFAULT_BATCH_ROWS = 1_000;

export const migrateStoreCommand: CliCommand = {
  name: "migrate-store",
  help: `Usage: vitals migrate-store --from PATH --to URL [--batch N]

Copies an existing SQLite database into PostgreSQL (issue 19), once, when you move Vitals across.
The SQLite file is migrated to this version's schema first, and so is the PostgreSQL database; then
every table is copied in ONE PostgreSQL transaction and verified (per table: the row count and a
checksum of every row's values) before it commits. On any failure nothing is left in PostgreSQL.

The PostgreSQL database must be empty: one that already holds other data is refused and left as it
was. Running the command again after it succeeded changes nothing and says so. Stop the Vitals that
writes the SQLite file first: rows written after the copy starts are not copied.

Options:
  --from PATH      the SQLite database, e.g. data/vitals.db (must exist)
  --to URL         the PostgreSQL database, postgres://user:password@host:5432/database
                   (default: DATABASE_URL); the password is never printed
  --batch N        rows per INSERT statement (default ${DEFAULT_BATCH_ROWS})
  -h, --help       this help

Exit codes: 0 copied (or already copied), 1 refused or failed (nothing copied), 2 bad arguments.`,
  options: {
    from: { type: "string" },
    to: { type: "string" },
    batch: { type: "string" },
  },
  allowPositionals: false,
  async run(ctx) {
    const from = sourcePath(ctx);
    const to = targetUrl(ctx);
    const batchRows = batchSize(ctx.values.batch);
    const shownTarget = redactDatabaseUrl(to);
    const started = performance.now();
    let source: ReturnType<typeof openCopySource>;
    try {
      source = openCopySource(from);
    } catch (error) {
      ctx.io.stderr(`vitals migrate-store: ${from}: ${(error as Error).message}\n`);
      return 1;
    }
    // One connection: the migration, then the copy's transaction. No statement timeout (pool.ts).
    const pool = createPool(to, { max: 1, applicationName: "vitals-migrate-store", onIdleError: () => undefined });
    try {
      const result = await copySqliteToPostgres(source.db, pool, { batchRows, schemaVersion: source.schemaVersion });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const width = Math.max(...result.tables.map((t) => t.table.length));
      const total = result.tables.reduce((sum, t) => sum + t.rows, 0);
      const lines = result.tables.map((t) => `  ${t.table.padEnd(width)}  ${t.rows}\n`).join("");
      const summary =
        result.outcome === "copied"
          ? `copied ${result.tables.length} tables, ${total} rows in ${seconds} s; counts and checksums verified\n`
          : `${shownTarget} already holds exactly these rows (${result.tables.length} tables, ${total} rows): nothing to do (${seconds} s)\n`;
      ctx.io.stdout(`${from} (schema version ${result.schemaVersion}) → ${shownTarget}\n${lines}${summary}`);
      return 0;
    } catch (error) {
      const message = redactPassword((error as Error).message ?? String(error), to);
      const reason = error instanceof StoreCopyError ? message : `${shownTarget}: ${connectionHint(error)}${message}`;
      ctx.io.stderr(`vitals migrate-store: ${reason}\n`);
      return 1;
    } finally {
      source.db.close();
      await pool.end().catch(() => undefined);
    }
  },
};

function sourcePath(ctx: CommandContext): string {
  const from = ctx.values.from;
  if (typeof from !== "string" || from === "") throw new UsageError("migrate-store: --from is required (the SQLite database, e.g. --from data/vitals.db)");
  // openDatabase would create a missing file: a typo must not copy an empty database.
  if (!existsSync(from) || !statSync(from).isFile()) throw new UsageError(`--from: no SQLite database at ${from}`);
  return from;
}

function targetUrl(ctx: CommandContext): string {
  const to = typeof ctx.values.to === "string" ? ctx.values.to : ctx.env.DATABASE_URL;
  if (to === undefined || to === "") throw new UsageError("migrate-store: --to is required (postgres://user:password@host:5432/database), or set DATABASE_URL");
  let valid = /^postgres(ql)?:\/\//i.test(to);
  try {
    new URL(to);
  } catch {
    valid = false;
  }
  if (!valid) throw new UsageError(`--to: expected a PostgreSQL URL, postgres://user:password@host:5432/database (got ${redactDatabaseUrl(to)})`);
  return to;
}

function batchSize(value: unknown): number {
  if (value === undefined) return DEFAULT_BATCH_ROWS;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--batch: expected a whole number of rows ≥ 1 (got "${text}")`);
  return Number(text);
}

/** The driver's errors name hosts, users and databases, not passwords; this holds even if one did. */
function redactPassword(message: string, url: string): string {
  let password = "";
  try {
    password = new URL(url).password;
  } catch {
    return message;
  }
  if (password === "") return message;
  return [password, decodeURIComponent(password)].reduce((text, secret) => text.split(secret).join("***"), message);
}

/** Says "cannot connect" for the network's errors, so an unreachable server reads as one. */
function connectionHint(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const network = typeof code === "string" && ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH"].includes(code);
  return network || /timeout expired|Connection terminated/i.test((error as Error).message ?? "") ? "cannot connect: " : "";
}
