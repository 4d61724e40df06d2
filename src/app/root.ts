import type { AppDeps } from "../app-deps.js";
import { effectiveConfigSource } from "../config/effective.js";
import { ConfigError } from "../config/errors.js";
import type { Env } from "../config/env.js";
import { loadFileConfig, type FileConfig } from "../config/file.js";
import { storeOptionsFrom } from "../config/store-options.js";
import { createLogger, type Logger } from "../log.js";
import { openDatabase } from "../store/db.js";
import { createStore, type SqliteStore, type Store } from "../store/index.js";
import type { SettingsSource } from "../config/effective.js";

// The composition root's core: config → store → deps, for `vitals start`, every CLI command, the
// demo and the tests. It loads only the config and the store; what else a part needs is built
// beside it, each module loaded by the commands that use it: the engines (src/app/engines.ts), the
// clients for sources, webhooks and Slack (src/app/clients.ts), and the running app (src/app/start.ts).
// So `vitals ask` loads no Bolt, Octokit or scheduler.

/**
 * Refused rather than ignored: answering from the SQLite default while DATABASE_URL names the
 * database people think they use would be a silent wrong answer (the PostgreSQL store is issue 19's
 * next step; `vitals migrate-store` already copies into it).
 */
export function refuseDatabaseUrl(env: Env): void {
  if (env.DATABASE_URL) throw new ConfigError("DATABASE_URL is set", ["this version stores in SQLite only (DATABASE_PATH or --db); PostgreSQL serves `vitals migrate-store` so far: unset DATABASE_URL to run this command"]);
}

/** Open (and migrate) the database at `path`, with the catalog synced from the config file. */
export function openStore(path: string, config: FileConfig): SqliteStore {
  const store = createStore(openDatabase(path), storeOptionsFrom(config));
  store.catalog.syncFromConfig(config);
  return store;
}

/**
 * Deps for any part of the app: the config seen by every part (queries, jobs, listeners, the CLI)
 * is the YAML file with the settings admins changed from Slack on top, rebuilt when those change.
 */
// A given store is a SQLite one (tests, benchmarks): syncing its catalog answers at once.
export function buildDeps(env: Env, options: { logger?: Logger; now?: () => number; config?: FileConfig; store?: SqliteStore } = {}): AppDeps {
  const fileConfig = options.config ?? loadFileConfig(env.VITALS_CONFIG, { required: false });
  let store = options.store;
  if (store) store.catalog.syncFromConfig(fileConfig);
  else {
    refuseDatabaseUrl(env);
    store = openStore(env.DATABASE_PATH, fileConfig);
  }
  return withSlackSettings({ store, config: fileConfig, env, logger: options.logger ?? createLogger(env.LOG_LEVEL), now: options.now ?? Date.now });
}

/** The same deps, with `config` reflecting `/kpi threshold set` and `/kpi subscribe` (src/config/effective.ts). */
export function withSlackSettings(deps: AppDeps): AppDeps {
  const config = effectiveConfigSource(deps.config, synchronousSettings(deps.store.slack));
  return {
    store: deps.store,
    env: deps.env,
    // A getter: a command's logger is made on first use (src/cli/context.ts).
    get logger() {
      return deps.logger;
    },
    now: deps.now,
    get config() {
      return config();
    },
  };
}

/**
 * `deps.config` is read synchronously everywhere, so the stored Slack settings under it must answer
 * at once (SQLite does). A store answering with Promises is refused here, loudly, rather than
 * building a config from a Promise (issue 19: PostgreSQL needs the settings loaded ahead).
 */
function synchronousSettings(slack: Store["slack"]): SettingsSource {
  const now = <T>(answer: T | Promise<T>, what: string): T => {
    if (answer instanceof Promise) throw new Error(`the Slack settings (${what}) answered asynchronously: the effective config needs a store that answers synchronously`);
    return answer;
  };
  return {
    revision: () => now(slack.revision(), "revision"),
    thresholds: () => now(slack.thresholds(), "thresholds"),
    subscriptions: () => now(slack.subscriptions(), "subscriptions"),
  };
}
