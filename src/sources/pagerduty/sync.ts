import type { AppDeps } from "../../app-deps.js";
import type { IncidentRecord, VitalsRecord } from "../../domain/records.js";
import type { StoredIncident } from "../../store/incidents.js";
import type { SyncOptions, SyncReport } from "../types.js";
import { httpCause, networkCause, SourceError } from "../errors.js";
import { createPagerdutyClient, PagerdutyApiError, type PagerdutyClient, type PagerdutyClientOptions } from "./client.js";
import { changedIncidents, getIncident, incidentLogEntries, listIncidents } from "./fetch.js";
import { keepKnownOwner, serviceMapping, toIncidentRecord, type ServiceMapping } from "./normalise.js";
import type { PdIncident } from "./types.js";

export const SOURCE = "pagerduty";
const CURSOR_KEY = "incidents";
const DAY_MS = 86_400_000;
/** Log entries can become visible a little after their timestamp: each incremental run re-reads this much. */
const OVERLAP_MS = 10 * 60_000;
const BATCH = 100;

/** What tests (and only tests) change: the TLS agent, the clock for waits, pdjs's own retry wait. */
export type ClientOverrides = Pick<PagerdutyClientOptions, "agent" | "sleep" | "libraryRetryWaitMs" | "maxRateLimitWaits" | "requestTimeoutMs">;

export function clientFromDeps(deps: Pick<AppDeps, "env">, overrides: ClientOverrides = {}): PagerdutyClient {
  const token = deps.env.PAGERDUTY_TOKEN;
  if (!token) throw new Error("PAGERDUTY_TOKEN is not set (a read-only REST API key)");
  return createPagerdutyClient({ token, host: deps.env.PAGERDUTY_API_HOST, ...overrides });
}

/** The incident as the poller records it: the incident plus its full log (first ack, last resolve, notes). */
export async function fetchIncidentRecord(
  client: PagerdutyClient,
  incident: PdIncident,
  services: ServiceMapping,
  stored: StoredIncident | undefined,
): Promise<IncidentRecord> {
  const entries = await incidentLogEntries(client, incident.id);
  return keepKnownOwner(toIncidentRecord(incident, entries, services), stored);
}

export async function syncPagerduty(deps: AppDeps, options: SyncOptions, overrides: ClientOverrides = {}): Promise<SyncReport> {
  const client = clientFromDeps(deps, overrides);
  const { store, config } = deps;
  const services = serviceMapping(config);
  const allServices = config.pagerduty.all_services;
  const serviceIds = allServices ? [] : [...services.keys()];
  const nowMs = deps.now();
  const cursor = (await store.syncState.cursor(SOURCE, CURSOR_KEY))?.cursor;
  const cursorMs = cursor ? Date.parse(cursor) : NaN;
  const backfillDays = options.backfillDays ?? (Number.isNaN(cursorMs) ? config.pagerduty.backfill_days : undefined);
  const notes: string[] = [];

  try {
    const sinceMs = backfillDays !== undefined ? nowMs - backfillDays * DAY_MS : cursorMs - OVERLAP_MS;
    const incidents = new Map<string, PdIncident>();
    for (const incident of await listIncidents(client, { sinceMs, untilMs: nowMs, serviceIds }, notes)) incidents.set(incident.id, incident);

    // Incidents created earlier but acknowledged, resolved, reopened or annotated since, and every
    // incident still open (its resolution may not be in any window read so far).
    const extra = new Set<string>(await store.incidents.openExternalIds(SOURCE));
    if (backfillDays === undefined) {
      for (const [id, serviceId] of await changedIncidents(client, sinceMs, nowMs)) {
        const elsewhere = !allServices && serviceId !== undefined && !services.has(serviceId);
        if (!elsewhere || (await store.incidents.get(SOURCE, id))) extra.add(id);
      }
    }
    for (const id of extra) {
      if (incidents.has(id) || options.signal?.aborted) continue;
      const incident = await getIncident(client, id);
      if (!incident) continue;
      const onWantedService = allServices || (incident.service?.id !== undefined && services.has(incident.service.id));
      if (onWantedService || (await store.incidents.get(SOURCE, id))) incidents.set(id, incident);
    }

    const totals = { fetched: 0, inserted: 0, updated: 0, unchanged: 0 };
    const unmapped = new Map<string, number>();
    let batch: VitalsRecord[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const result = await store.write(batch);
      totals.inserted += result.incidents.inserted;
      totals.updated += result.incidents.updated;
      totals.unchanged += result.incidents.unchanged;
      batch = [];
    };
    for (const incident of incidents.values()) {
      if (options.signal?.aborted) throw new Error("sync aborted");
      const record = await fetchIncidentRecord(client, incident, services, await store.incidents.get(SOURCE, incident.id));
      if (record.externalService) unmapped.set(record.externalService, (unmapped.get(record.externalService) ?? 0) + 1);
      batch.push({ kind: "incident", ...record });
      totals.fetched++;
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    // The cursor moves only once everything up to now is written: a failed run is simply re-run.
    await store.syncState.saveCursor(SOURCE, CURSOR_KEY, new Date(nowMs).toISOString(), null, nowMs);

    if (backfillDays !== undefined) notes.push(`backfilled ${backfillDays} days (${new Date(sinceMs).toISOString().slice(0, 10)} → now)`);
    for (const [service, count] of unmapped) {
      notes.push(`${count} incident${count === 1 ? "" : "s"} on unmapped PagerDuty service ${service}: add services[].pagerduty.service_id to count them`);
    }
    const waitedMs = client.rateLimitWaitMs();
    if (waitedMs > 0) notes.push(`rate limited by PagerDuty: waited ${Math.round(waitedMs / 1000)} s in total`);
    return { source: SOURCE, ...totals, notes };
  } catch (error) {
    const failure = asSourceError(error, deps.env.PAGERDUTY_API_HOST);
    await store.syncState.recordFailure(SOURCE, CURSOR_KEY, failure.failure.cause, deps.now());
    throw failure;
  }
}

/** The failure in words (src/sources/errors.ts): the network cause, or what PagerDuty's HTTP answer means. */
function asSourceError(error: unknown, host: string): SourceError {
  if (error instanceof SourceError) return error;
  const status = error instanceof PagerdutyApiError ? error.status : 0;
  const message = error instanceof Error ? error.message : String(error);
  const network = networkCause(error);
  if (network || status < 400) return new SourceError({ source: SOURCE, host, cause: network?.words ?? message }, network?.kind ?? "http");
  const cause = httpCause(status, { credentials: "PAGERDUTY_TOKEN", notFound: "the PagerDuty resource", message });
  return new SourceError({ source: SOURCE, host, cause: cause.words }, cause.kind);
}
