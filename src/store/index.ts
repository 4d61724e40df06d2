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
import { metricReads, type SqliteMetricReads } from "./metric-reads.js";
import { rowReads, type RowReads } from "./row-reads.js";
import { legacyDerivedData } from "./derived/engine.js";
import { sqliteRunner } from "./sql/sqlite-runner.js";
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

export type Store = ReturnType<typeof createStore>;

/**
 * The store: the only place with SQL. Each table family has its own module; `write` is the one
 * entry point for records from any source and runs in a single transaction, so a batch is written
 * whole or not at all, and writing the same batch again changes nothing.
 */
export function createStore(realDb: Db, options: StoreOptions = DEFAULT_STORE_OPTIONS) {
  const db = withLazyStatements(realDb);
  // What the reads keep beside the records (src/store/derived/): rebuilt now if this database's was
  // made by other definitions, then refreshed by every write path below for the keys it touches.
  const derived = legacyDerivedData(sqliteRunner(db));
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
