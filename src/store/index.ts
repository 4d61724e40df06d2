import type { StoreOptions } from "../config/store-options.js";
import { openDatabase, type Db } from "./db.js";
import { storeOps } from "./operations.js";
import { SQLITE } from "./sql/dialect.js";
import { alertStore } from "./alerts.js";
import { digestStore } from "./digests.js";
import { reviewStore } from "./reviews.js";
import { slackSettingsStore } from "./slack-settings.js";
import { explainReads } from "./explain-reads.js";
import { githubStore } from "./github.js";
import { confirmationStore } from "./confirmations.js";
import { withLazyStatements } from "./lazy-statements.js";
import { metricReads, type MetricReads, type SqliteMetricReads } from "./metric-reads.js";
import type { MaybeAsync } from "./maybe-async.js";
import { rowReads, type RowReads } from "./row-reads.js";
import { legacyDerivedData } from "./derived/engine.js";
import { sqliteRunner } from "./sql/sqlite-runner.js";
import { bindOps, type SyncOps } from "./sql/bind.js";

export type { Db } from "./db.js";
export type { StoreOptions } from "../config/store-options.js";
export type { RecordWriteResult, WriteAlso, WriteStats } from "./write-stats.js";


export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  productionEnvironment: "production",
  attributionWindowMs: 24 * 3_600_000,
};

/** TRANSITIONAL: what AppDeps holds until every caller awaits (then `Store = EitherStore`). */
export type Store = SqliteStore;

/** The SQLite store: every method answers synchronously. */
export type SqliteStore = ReturnType<typeof createStore>;

type Method<F> = F extends (...args: infer A) => infer R ? (...args: A) => R | Promise<R> : F;

/**
 * The store as the app sees it, whichever engine serves it (issue 19): every method of every table
 * module may answer with a Promise (PostgreSQL), so callers await. The engine's own handles (the
 * SQLite `db`, the derived-data maintenance) are not part of it.
 */
export type EitherStore = {
  readonly [K in Exclude<keyof SqliteStore, "db" | "derived" | "options" | "incidentFilters" | "reads">]: SqliteStore[K] extends (...args: never[]) => unknown
    ? Method<SqliteStore[K]>
    : MaybeAsync<SqliteStore[K]>;
} & {
  readonly options: StoreOptions;
  readonly incidentFilters: SqliteStore["incidentFilters"];
  readonly reads: { readonly metric: MetricReads; readonly rows: MaybeAsync<RowReads> };
};

/**
 * The store: the only place with SQL. Each table family has its own module; `write` is the one
 * entry point for records from any source and runs in a single transaction, so a batch is written
 * whole or not at all, and writing the same batch again changes nothing.
 */
export function createStore(realDb: Db, options: StoreOptions = DEFAULT_STORE_OPTIONS) {
  const db = withLazyStatements(realDb);
  // Operation modules (src/store/sql/query.ts) run here: a public write in its own transaction, a
  // read as it is. TRANSITIONAL (issue 19): modules not yet converted still take `db`.
  const runner = sqliteRunner(realDb);
  const bindWrites = <O extends object>(ops: O) => bindOps(ops, (op) => runner.transaction(op)) as SyncOps<O>;
  const bindReads = <O extends object>(ops: O) => bindOps(ops, (op) => runner.run(op)) as SyncOps<O>;
  const ops = storeOps(SQLITE, options);
  // A module's reads run as they are, each of its other operations in its own transaction.
  const bindModule = <O extends object, R extends keyof O>(module: O, reads: readonly R[]) =>
    ({ ...bindWrites(module), ...bindReads(Object.fromEntries(reads.map((name) => [name, module[name]])) as Pick<O, R>) });
  // The units of work: opening (derived data made by other definitions rebuilt, a changed
  // `incidents` filter section applied to the stored incidents, no re-import) and writing records.
  const { open, write } = bindWrites({ open: ops.open, write: ops.write });
  open();
  // TRANSITIONAL (issue 19): for github.ts, until it takes the derived operations.
  const derived = legacyDerivedData(runner);
  const catalog = bindModule(ops.catalog, ["teams", "services"]);
  const deployments = bindModule(ops.deployments, ["finishedAtOf"]);
  const incidentFilters = ops.incidentFilters;
  const incidents = bindModule(ops.incidents, ["openExternalIds", "get"]);
  const samples = bindWrites(ops.samples);
  const annotations = bindWrites(ops.annotations);
  const links = bindModule(ops.links, ["unlinkedOnDeployedServices"]);
  const syncState = bindModule(ops.syncState, ["cursor", "cursors"]);

  // Built on first access, once per store (and their statements prepared on first use,
  // lazy-statements.ts), so a command that never reads pays nothing for them.
  let metric: SqliteMetricReads | undefined;
  let rows: RowReads | undefined;
  const reads = {
    get metric(): SqliteMetricReads {
      return (metric ??= metricReads(db));
    },
    get rows(): RowReads {
      return (rows ??= rowReads(db));
    },
  };

  return { db: realDb, options, incidentFilters, catalog, reads, derived, deployments, incidents, samples, annotations, links, syncState, write, close: () => db.close(),
    reviews: reviewStore(db), alerts: alertStore(db), digests: digestStore(db), slack: slackSettingsStore(db),
    explain: explainReads(db, options), github: githubStore(db, derived), confirmations: confirmationStore(db, options) };
}

export function openStore(path: string, options: StoreOptions = DEFAULT_STORE_OPTIONS): Store {
  return createStore(openDatabase(path), options);
}
