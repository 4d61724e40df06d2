import { randomUUID } from "node:crypto";
import type { StoreOptions } from "../config/store-options.js";
import { NO_INCIDENT_FILTERS } from "../domain/incident-filter.js";
import type { VitalsRecord } from "../domain/records.js";
import { alertOps } from "./alerts.js";
import { annotationOps } from "./annotations.js";
import { catalogOps } from "./catalog.js";
import { confirmationOps } from "./confirmations.js";
import { deploymentOps } from "./deployments.js";
import { derivedOps, Touches } from "./derived/engine.js";
import { digestOps } from "./digests.js";
import { explainReadOps } from "./explain-reads.js";
import { githubOps } from "./github.js";
import { incidentOps } from "./incidents.js";
import { linkOps, type Verdict } from "./links.js";
import { metricReadOps } from "./metric-reads.js";
import { reviewOps } from "./reviews.js";
import { rowReadOps } from "./row-reads.js";
import { sampleOps } from "./samples.js";
import { slackSettingsOps } from "./slack-settings.js";
import type { Dialect } from "./sql/dialect.js";
import { run, type Sql } from "./sql/query.js";
import { syncStateOps } from "./sync-state.js";
import { addStats, emptyStats, type RecordWriteResult, type WriteAlso } from "./write-stats.js";

// Every operation of the store (src/store/sql/query.ts), written once for both engines: the table
// modules' operations, and the units of work that span several (a write of records with the sync
// cursor or webhook delivery that goes with it). src/store/index.ts binds them to an engine.

/**
 * `claimer` names this store instance on the claims its jobs take (digest weeks, reminders,
 * confirmations, alert transitions): one per process, so one per replica (migration 016).
 */
export function storeOps(d: Dialect, options: StoreOptions, claimer: string = randomUUID()) {
  const derived = derivedOps(d);
  const incidentFilters = options.incidentFilters ?? NO_INCIDENT_FILTERS;
  const catalog = catalogOps(d);
  const deployments = deploymentOps(d, options, derived);
  const incidents = incidentOps(d, incidentFilters);
  const samples = sampleOps(d, derived);
  const annotations = annotationOps();
  const links = linkOps(d, { ...options, incidentFilters }, derived);
  const syncState = syncStateOps(d);

  /**
   * The one entry point for records from any source (run it in one transaction): a batch is written
   * whole or not at all, and writing the same batch again changes nothing. The derived data of
   * everything it touched is refreshed once, at the end.
   */
  function* write(records: readonly VitalsRecord[], also: WriteAlso = {}): Sql<RecordWriteResult> {
    if (d.keyDrivenPlans !== null) yield* run(d.keyDrivenPlans);
    if (also.delivery && !(yield* syncState.firstDelivery(also.delivery.source, also.delivery.id, also.delivery.atMs))) return duplicateResult();
    const touches = new Touches();
    const services = new Set<string>();
    for (const record of records) if (record.kind !== "annotation" && record.service) services.add(record.service);
    yield* catalog.ensureServices(services);

    const byKind = {
      deployment: records.filter((r) => r.kind === "deployment"),
      incident: records.filter((r) => r.kind === "incident"),
      metric: records.filter((r) => r.kind === "metric"),
      annotation: records.filter((r) => r.kind === "annotation"),
    };
    const deploymentStats = yield* deployments.upsertMany(byKind.deployment, touches);
    const incidentStats = yield* incidents.upsertMany(byKind.incident);
    const result: RecordWriteResult = {
      deployments: addStats(emptyStats(), deploymentStats),
      incidents: addStats(emptyStats(), incidentStats),
      samples: yield* samples.upsertMany(byKind.metric, touches),
      annotations: yield* annotations.upsertMany(byKind.annotation),
      relinked: 0,
      changedIncidentIds: incidentStats.changedIds,
      duplicate: false,
    };

    // A new or changed deployment can change the links of incidents up to the attribution window
    // after it (and, through rollbacks, any incident after it: bounded by the batch's incidents).
    let from = Infinity;
    let to = -Infinity;
    if (deploymentStats.inserted + deploymentStats.updated > 0) {
      // A rollback marks the deployment it undoes: incidents since that one may now link to it.
      const rollbacks = byKind.deployment.filter((dep) => dep.rollbackOf);
      const rolledBackAt = yield* deployments.finishedAtOf(rollbacks.map((dep) => ({ source: dep.source, externalId: dep.rollbackOf! })));
      for (const at of rolledBackAt) if (at !== undefined) from = Math.min(from, at);
      for (const dep of byKind.deployment) {
        from = Math.min(from, dep.finishedAtMs);
        to = Math.max(to, dep.finishedAtMs + options.attributionWindowMs + 1);
      }
    }
    if (incidentStats.changedIds.length > 0) {
      for (const i of byKind.incident) {
        from = Math.min(from, i.createdAtMs);
        to = Math.max(to, i.createdAtMs + 1);
      }
    }
    if (from < to) result.relinked = yield* links.relink(from, to, deploymentStats.rewrittenIds, touches);
    if (also.cursor) {
      const c = also.cursor;
      yield* syncState.saveCursor(c.source, c.key, c.cursor, c.etag, c.atMs);
    }
    yield* derived.flush(touches);
    return result;
  }

  /**
   * What opening a database does (run it in one transaction): rebuild the derived data if this
   * database's was made by other definitions, then apply a changed `incidents` filter section to
   * the stored incidents (no re-import).
   */
  function* open(): Sql<{ derivedRebuilt: boolean; incidentsRefiltered: number }> {
    const derivedRebuilt = yield* derived.ensureVersion();
    const incidentsRefiltered = yield* links.applyIncidentFilters();
    return { derivedRebuilt, incidentsRefiltered };
  }

  const confirmations = confirmationOps(options, claimer);

  /**
   * A person's answer to "did this deployment cause the incident?" (run it in one transaction):
   * false when someone answered the question already; otherwise the verdict is recorded and the
   * link follows from it.
   */
  function* answerConfirmation(incidentId: number, userId: string, atMs: number, verdict: Verdict, alreadyAsked: boolean): Sql<boolean> {
    if (alreadyAsked && !(yield* confirmations.recordAnswer(incidentId, userId, atMs))) return false;
    yield* links.setVerdict(incidentId, verdict);
    return true;
  }

  return {
    options, incidentFilters, derived, catalog, deployments, incidents, samples, annotations, links, syncState, write, open, answerConfirmation,
    // App state: alerts, digests, reviews, Slack settings, link confirmations, the GitHub connector's reads.
    alerts: alertOps(d, claimer), digests: digestOps(d, claimer), reviews: reviewOps(d, claimer), slack: slackSettingsOps(d), confirmations, github: githubOps(derived),
    // What the answers read (no transaction needed: each is one consistent statement per slice).
    metricReads: metricReadOps(d), rowReads: rowReadOps(d), explain: explainReadOps(d, options),
  };
}

export type StoreOps = ReturnType<typeof storeOps>;

function duplicateResult(): RecordWriteResult {
  return { deployments: emptyStats(), incidents: emptyStats(), samples: emptyStats(), annotations: emptyStats(), relinked: 0, changedIncidentIds: [], duplicate: true };
}
