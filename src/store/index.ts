import type { StoreOptions } from "../config/store-options.js";
import type { VitalsRecord } from "../domain/records.js";
import { annotationStore } from "./annotations.js";
import { catalogStore } from "./catalog.js";
import { openDatabase, type Db } from "./db.js";
import { deploymentStore } from "./deployments.js";
import { incidentStore } from "./incidents.js";
import { linkStore } from "./links.js";
import { sampleStore } from "./samples.js";
import { syncStateStore } from "./sync-state.js";
import { addStats, emptyStats, type WriteStats } from "./write-stats.js";
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
import { NO_INCIDENT_FILTERS } from "../domain/incident-filter.js";

export type { Db } from "./db.js";
export type { StoreOptions } from "../config/store-options.js";
export type { WriteStats } from "./write-stats.js";


export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  productionEnvironment: "production",
  attributionWindowMs: 24 * 3_600_000,
};

export interface RecordWriteResult {
  deployments: WriteStats;
  incidents: WriteStats;
  samples: WriteStats;
  annotations: WriteStats;
  /** Incidents whose deployment link changed. */
  relinked: number;
  /** Incidents inserted or changed (e.g. to open post-incident reviews on resolution). */
  changedIncidentIds: number[];
}

/** TRANSITIONAL: what AppDeps holds until every caller awaits (then `Store = EitherStore`). */
export type Store = EitherStore;

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
  // What the reads keep beside the records (src/store/derived/): rebuilt now if this database's was
  // made by other definitions, then refreshed by every write path below for the keys it touches.
  const derived = legacyDerivedData(runner);
  derived.ensureVersion();
  const catalog = catalogStore(db);
  const deployments = deploymentStore(db, options, derived);
  const incidentFilters = options.incidentFilters ?? NO_INCIDENT_FILTERS;
  const incidents = incidentStore(db, incidentFilters);
  const samples = sampleStore(db, derived);
  const annotations = annotationStore(db);
  const links = linkStore(db, { ...options, incidentFilters }, derived);
  // A changed `incidents` filter section takes effect now, on the stored incidents (no re-import).
  links.applyIncidentFilters();
  const syncState = syncStateStore(db);

  const write = db.transaction((records: readonly VitalsRecord[]): RecordWriteResult => {
    const services = new Set<string>();
    for (const record of records) if (record.kind !== "annotation" && record.service) services.add(record.service);
    catalog.ensureServices(services);

    const byKind = {
      deployment: records.filter((r) => r.kind === "deployment"),
      incident: records.filter((r) => r.kind === "incident"),
      metric: records.filter((r) => r.kind === "metric"),
      annotation: records.filter((r) => r.kind === "annotation"),
    };
    const deploymentStats = deployments.upsertMany(byKind.deployment);
    const incidentStats = incidents.upsertMany(byKind.incident);
    const result: RecordWriteResult = {
      deployments: deploymentStats,
      incidents: addStats(emptyStats(), incidentStats),
      samples: samples.upsertMany(byKind.metric),
      annotations: annotations.upsertMany(byKind.annotation),
      relinked: 0,
      changedIncidentIds: incidentStats.changedIds,
    };

    // A new or changed deployment can change the links of incidents up to the attribution window
    // after it (and, through rollbacks, any incident after it: bounded by the batch's incidents).
    let from = Infinity;
    let to = -Infinity;
    if (deploymentStats.inserted + deploymentStats.updated > 0) {
      for (const d of byKind.deployment) {
        // A rollback marks the deployment it undoes: incidents since that one may now link to it.
        const rolledBackAt = d.rollbackOf ? deployments.finishedAtOf(d.source, d.rollbackOf) : undefined;
        from = Math.min(from, rolledBackAt ?? d.finishedAtMs, d.finishedAtMs);
        to = Math.max(to, d.finishedAtMs + options.attributionWindowMs + 1);
      }
    }
    if (incidentStats.changedIds.length > 0) {
      for (const i of byKind.incident) {
        from = Math.min(from, i.createdAtMs);
        to = Math.max(to, i.createdAtMs + 1);
      }
    }
    if (from < to) result.relinked = links.relink(from, to);
    derived.flush();
    return result;
  });

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
