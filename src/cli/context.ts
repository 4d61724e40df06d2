import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { loadFileConfig, type FileConfig } from "../config/file.js";
import { parseEnv, type Env } from "../config/env.js";
import { InputError } from "../config/errors.js";
import { createLogger, type Logger } from "../log.js";
import type { AppDeps } from "../app-deps.js";
import { openConfiguredStore, withStoredSettings } from "../app/root.js";
import type { Store } from "../store/index.js";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** A file's text, or standard input's for "-"; null, after saying why on stderr, when it cannot be read. */
export async function readInput(io: CliIo, file: string): Promise<string | null> {
  try {
    return file === "-" ? await io.readStdin() : await readFile(file, "utf8");
  } catch (error) {
    io.stderr(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`);
    return null;
  }
}

export interface CliCommand {
  readonly name: string;
  /** For `vitals --help` when listed directly in COMMANDS (a LazyCommand carries it instead). */
  readonly summary?: string;
  /** Full help text, printed by `vitals <name> --help`. */
  readonly help: string;
  readonly options: OptionSpec;
  readonly allowPositionals: boolean;
  run(ctx: CommandContext): Promise<number>;
}

/** A command listed by name and summary, its module imported only when it runs. */
export interface LazyCommand {
  readonly name: string;
  readonly summary: string;
  load(): Promise<CliCommand>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpec = {
  db: { type: "string" },
  config: { type: "string" },
  now: { type: "string" },
  help: { type: "boolean", short: "h" },
};

export const COMMON_HELP = `Common options:
  --db PATH        SQLite database (default: DATABASE_PATH or ./data/vitals.db)
  --config PATH    YAML config (default: VITALS_CONFIG or ./vitals.yml)
  --now ISO        fix the clock, e.g. 2026-05-04T09:00:00Z (for reproducible answers)
  -h, --help       this help`;

export class UsageError extends InputError {}

export interface CommandContext {
  readonly io: CliIo;
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
  readonly env: Env;
  readonly now: () => number;
  readonly logger: Logger;
  config(): FileConfig;
  /**
   * Open (and migrate) the database, with the catalog synced from the config file. A read command
   * passes `mustExist`: a path with no database is an error naming it, never a new empty file.
   */
  openStore(options?: { mustExist?: boolean }): Promise<Store>;
  /**
   * What the command's parts are built from (src/app/root.ts): the opened store, and the config
   * with the settings admins changed from Slack on top (`/kpi threshold set` applies here too).
   */
  deps(options?: { mustExist?: boolean }): Promise<AppDeps>;
  /** Close the store if the command opened one (runCommand does, after the command). */
  close(): Promise<void>;
}

export function buildContext(command: CliCommand, argv: string[], io: CliIo): CommandContext {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: command.allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Try: vitals ${command.name} --help`);
  }
  const env = parseEnv({ ...io.env });
  const values = parsed.values as CommandContext["values"];
  const nowArg = typeof values.now === "string" ? values.now : undefined;
  const fixedNow = nowArg === undefined ? undefined : Date.parse(nowArg);
  if (fixedNow !== undefined && (Number.isNaN(fixedNow) || !/[zZ]|[+-]\d\d:?\d\d$/.test(nowArg!))) {
    throw new UsageError(`--now: expected an ISO timestamp with an offset, e.g. 2026-05-04T09:00:00Z (got "${nowArg}")`);
  }
  const configPath = typeof values.config === "string" ? values.config : env.VITALS_CONFIG;
  const dbPath = typeof values.db === "string" ? values.db : env.DATABASE_PATH;
  let config: FileConfig | undefined;
  let store: Promise<Store> | undefined;
  let deps: Promise<AppDeps> | undefined;
  let closed = false;
  let logger: Logger | undefined;
  const ctx: CommandContext = {
    io,
    values,
    positionals: parsed.positionals,
    env,
    now: () => fixedNow ?? Date.now(),
    // CLI logs go to stderr so that stdout stays clean for answers and --json. Made on first use:
    // `vitals ask` logs nothing and should not pay for a logger.
    get logger() {
      logger ??= createLogger(env.LOG_LEVEL === "info" ? "warn" : env.LOG_LEVEL, { write: (line: string) => io.stderr(line) } as never);
      return logger;
    },
    config() {
      // An explicitly named file must exist; the default one may be absent (no teams configured yet).
      config ??= loadFileConfig(configPath, { required: typeof values.config === "string" || io.env.VITALS_CONFIG !== undefined });
      return config;
    },
    openStore(options = {}) {
      if (store) return store;
      // --db names a SQLite file, and wins over DATABASE_URL; otherwise DATABASE_URL selects PostgreSQL.
      const sqlitePath = typeof values.db === "string" || !env.DATABASE_URL ? dbPath : undefined;
      if (sqlitePath !== undefined && options.mustExist && sqlitePath !== ":memory:" && !existsSync(sqlitePath)) return Promise.reject(new UsageError(missingDatabase(sqlitePath)));
      store = openConfiguredStore(env, ctx.config(), ctx.logger, sqlitePath);
      return store;
    },
    deps(options = {}) {
      // The logger stays lazy (made on first use), as in the context itself.
      deps ??= ctx.openStore(options).then((opened) => withStoredSettings({ store: opened, config: ctx.config(), env, get logger() { return ctx.logger; }, now: ctx.now }));
      return deps;
    },
    async close() {
      if (!store || closed) return;
      closed = true;
      const opened = await store.catch(() => undefined);
      await opened?.close();
    },
  };
  return ctx;
}

/** What to do when a read command finds no database: the demo's, if there is one, or how to fill one. */
export function missingDatabase(dbPath: string): string {
  const demo = "data/demo.db";
  const hint = existsSync(demo)
    ? `after \`vitals demo\`, pass --db ${demo} --config data/demo.yml (e.g. vitals ask --db ${demo} --config data/demo.yml "cfr last 30d for payments")`
    : `run \`vitals demo\` and pass --db ${demo} --config data/demo.yml, or fill it with \`vitals import\` or \`vitals sync\``;
  return `no database at ${dbPath} (set by --db or DATABASE_PATH): ${hint}`;
}
