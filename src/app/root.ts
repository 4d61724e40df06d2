import type { AppDeps } from "../app-deps.js";
import { effectiveConfigSource } from "../config/effective.js";
import type { Env } from "../config/env.js";
import { loadFileConfig, type FileConfig } from "../config/file.js";
import { storeOptionsFrom } from "../config/store-options.js";
import { createLogger, type Logger } from "../log.js";
import { openDatabase } from "../store/db.js";
import { createStore, type SqliteStore, type Store } from "../store/index.js";
import type { SettingsSource } from "../config/effective.js";
import { redactDatabaseUrl } from "../config/env.js";
import { settingsSnapshot, type SettingsSnapshot } from "./settings-snapshot.js";

// The composition root's core: config → store → deps, for `vitals start`, every CLI command, the
// demo and the tests. It loads only the config and the store; what else a part needs is built
// beside it, each module loaded by the commands that use it: the engines (src/app/engines.ts), the
// clients for sources, webhooks and Slack (src/app/clients.ts), and the running app (src/app/start.ts).
// So `vitals ask` loads no Bolt, Octokit or scheduler.

/** Open (and migrate) the SQLite database at `path`, with the catalog synced from the config file. */
export function openStore(path: string, config: FileConfig): SqliteStore {
  const store = createStore(openDatabase(path), storeOptionsFrom(config));
  store.catalog.syncFromConfig(config);
  return store;
}

/**
 * The store the environment names: PostgreSQL when DATABASE_URL is set (unless a command's --db
 * names a SQLite file), else the SQLite file at `sqlitePath`. Migrated, with the catalog synced
 * from the config file.
 */
export async function openConfiguredStore(env: Env, config: FileConfig, logger: Logger, sqlitePath: string | undefined = undefined): Promise<Store> {
  if (sqlitePath !== undefined || !env.DATABASE_URL) return openStore(sqlitePath ?? env.DATABASE_PATH, config);
  // Loaded only here: a SQLite command (the fast `vitals ask` above all) never loads `pg`.
  const { openPostgresStore } = await import("../store/postgres/store.js");
  const store = await openPostgresStore(env.DATABASE_URL, storeOptionsFrom(config), {
    maxConnections: env.DATABASE_POOL_MAX,
    // The pool drops the broken connection and opens another on the next query.
    onIdleError: (error) => logger.warn({ err: error.message, database: redactDatabaseUrl(env.DATABASE_URL!) }, "an idle PostgreSQL connection failed; the pool replaces it"),
  });
  try {
    await store.catalog.syncFromConfig(config);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Deps for any part of the app over a given SQLite store, which answers at once (tests, benchmarks):
 * the config seen by every part (queries, jobs, listeners, the CLI) is the YAML file with the
 * settings admins changed from Slack on top, rebuilt when those change. The CLI and `vitals start`
 * open the environment's store (openConfiguredStore) and call withStoredSettings.
 */
export function buildDeps(env: Env, options: { logger?: Logger; now?: () => number; config?: FileConfig; store: SqliteStore }): AppDeps {
  const fileConfig = options.config ?? loadFileConfig(env.VITALS_CONFIG, { required: false });
  options.store.catalog.syncFromConfig(fileConfig);
  return withSlackSettings({ store: options.store, config: fileConfig, env, logger: options.logger ?? createLogger(env.LOG_LEVEL), now: options.now ?? Date.now });
}

/**
 * The same deps, with `config` reflecting `/kpi threshold set` and `/kpi subscribe`
 * (src/config/effective.ts), whichever engine serves the store. SQLite answers the stored settings
 * at once, on every read; another engine's are kept in a snapshot (src/app/settings-snapshot.ts)
 * that this replica's own changes refresh at once and `deps.refreshSettings` (called by
 * `vitals start` every SETTINGS_REFRESH_MS) the others'.
 */
export async function withStoredSettings(deps: AppDeps): Promise<AppDeps> {
  const store = deps.store;
  if (store.engine === "sqlite") return withSlackSettings(deps);
  const snapshot = await settingsSnapshot(store.slack);
  return settingsDeps({ ...deps, store: { ...store, slack: refreshedAfterWrites(store.slack, snapshot) } }, snapshot, () => snapshot.refresh());
}

/** withStoredSettings for a store that answers at once (SQLite): no snapshot, nothing to refresh. */
export function withSlackSettings(deps: AppDeps): AppDeps {
  return settingsDeps(deps, synchronousSettings(deps.store.slack), undefined);
}

function settingsDeps(deps: AppDeps, settings: SettingsSource, refreshSettings: (() => Promise<void>) | undefined): AppDeps {
  const config = effectiveConfigSource(deps.config, settings);
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
    ...(refreshSettings ? { refreshSettings } : {}),
  };
}

/** The settings writes, each followed by a refresh of the snapshot: this replica sees its own change at once. */
function refreshedAfterWrites(slack: Store["slack"], snapshot: SettingsSnapshot): Store["slack"] {
  return {
    ...slack,
    setThreshold: async (...args) => {
      await slack.setThreshold(...args);
      await snapshot.refresh();
    },
    subscribe: async (...args) => {
      await slack.subscribe(...args);
      await snapshot.refresh();
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
