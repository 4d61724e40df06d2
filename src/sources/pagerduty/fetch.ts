import { PagerdutyApiError, type PagerdutyClient, type Query } from "./client.js";
import { z } from "zod";
import { incidentSchema, logEntriesPageSchema, logEntrySchema, type PdIncident, type PdLogEntry } from "./types.js";

// Paging and PagerDuty's list limits, done by hand: pdjs's `all()` derives the resource name from a
// `.com/` URL and fails on any other host (EU, a test server). Limits, per the API reference
// (https://developer.pagerduty.com/docs/pagination): `since`/`until` at most 6 months apart, and
// `offset + limit` at most 10,000 for classic pagination.

const PAGE_LIMIT = 100;
const MAX_OFFSET_PLUS_LIMIT = 10_000;
/** A little under six months, so calendar-month differences never push a window over the limit. */
const MAX_WINDOW_MS = 175 * 86_400_000;

export interface IncidentListOptions {
  readonly sinceMs: number;
  readonly untilMs: number;
  /** PagerDuty service ids; empty for all services. */
  readonly serviceIds: readonly string[];
}

export function splitWindows(sinceMs: number, untilMs: number, maxMs = MAX_WINDOW_MS): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  for (let from = sinceMs; from < untilMs; from += maxMs) windows.push([from, Math.min(untilMs, from + maxMs)]);
  return windows;
}

async function getOk(client: PagerdutyClient, path: string, query: Query): Promise<unknown> {
  const result = await client.get(path, query);
  if (!result.ok) throw new PagerdutyApiError(result.error, result.status);
  return result.data;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Every item of a list endpoint filtered by `since`/`until` over [since, until): the range is cut into
 * windows PagerDuty accepts, each paged with offset/limit, and a window holding more than 10,000
 * items is halved until each half can be paged to its end.
 */
async function listRange(client: PagerdutyClient, path: string, key: string, sinceMs: number, untilMs: number, extra: Query): Promise<unknown[]> {
  const items: unknown[] = [];
  const pending = splitWindows(sinceMs, untilMs);
  while (pending.length > 0) {
    const [from, to] = pending.shift()!;
    const result = await listWindow(client, path, key, from, to, extra);
    if (result === "too_many") {
      const middle = from + Math.floor((to - from) / 2);
      if (middle <= from) throw new PagerdutyApiError(`more than ${MAX_OFFSET_PLUS_LIMIT} ${key} at ${iso(from)}`, 400);
      pending.unshift([from, middle], [middle, to]);
      continue;
    }
    items.push(...result);
  }
  return items;
}

async function listWindow(client: PagerdutyClient, path: string, key: string, from: number, to: number, extra: Query): Promise<unknown[] | "too_many"> {
  const items: unknown[] = [];
  for (let offset = 0; ; offset += PAGE_LIMIT) {
    if (offset + PAGE_LIMIT > MAX_OFFSET_PLUS_LIMIT) return "too_many";
    const query: Query = {
      ...extra,
      since: iso(from),
      until: iso(to),
      time_zone: "UTC",
      limit: String(PAGE_LIMIT),
      offset: String(offset),
      total: offset === 0 ? "true" : "false",
    };
    const page = pageSchema.parse(await getOk(client, path, query));
    const list = page[key];
    if (!Array.isArray(list)) throw new PagerdutyApiError(`GET /${path}: expected a "${key}" list in the answer`, 200);
    // `total` (asked for on the first page only: it is costly) says up front when a window cannot be paged to its end.
    if (offset === 0 && typeof page.total === "number" && page.total > MAX_OFFSET_PLUS_LIMIT) return "too_many";
    items.push(...list);
    if (!page.more || list.length === 0) return items;
  }
}

const pageSchema = z.object({ more: z.boolean().nullish(), total: z.number().nullish() }).catchall(z.unknown());

/**
 * Incidents created in [since, until) on the given services (all when empty). An incident whose
 * fields the metrics need are missing or malformed is skipped, named in `skipped`; the rest are kept.
 */
export async function listIncidents(client: PagerdutyClient, options: IncidentListOptions, skipped: string[] = []): Promise<PdIncident[]> {
  const extra: Query = { "include[]": ["assignees", "first_trigger_log_entries"], "statuses[]": ["triggered", "acknowledged", "resolved"] };
  if (options.serviceIds.length > 0) extra["service_ids[]"] = [...options.serviceIds];
  const found = new Map<string, PdIncident>();
  for (const raw of await listRange(client, "incidents", "incidents", options.sinceMs, options.untilMs, extra)) {
    const parsed = incidentSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const id = typeof (raw as { id?: unknown } | null)?.id === "string" ? (raw as { id: string }).id : "without an id";
      skipped.push(`skipped incident ${id}: ${issue?.path.join(".")}: ${issue?.message}`);
      continue;
    }
    // PagerDuty's `until` includes its instant; windows here are half-open, so an incident on a boundary is seen once.
    if (Date.parse(parsed.data.created_at) < options.untilMs) found.set(parsed.data.id, parsed.data);
  }
  return [...found.values()];
}

export async function getIncident(client: PagerdutyClient, id: string): Promise<PdIncident | undefined> {
  const result = await client.get(`incidents/${encodeURIComponent(id)}`, { "include[]": ["assignees", "first_trigger_log_entries"] });
  if (!result.ok && result.status === 404) return undefined;
  if (!result.ok) throw new PagerdutyApiError(result.error, result.status);
  return incidentSchema.parse((result.data as { incident?: unknown }).incident);
}

/** Every log entry of one incident (full timeline, not the overview), oldest first. */
export async function incidentLogEntries(client: PagerdutyClient, id: string): Promise<PdLogEntry[]> {
  const entries: PdLogEntry[] = [];
  for (let offset = 0; offset + PAGE_LIMIT <= MAX_OFFSET_PLUS_LIMIT; offset += PAGE_LIMIT) {
    const page = logEntriesPageSchema.parse(
      await getOk(client, `incidents/${encodeURIComponent(id)}/log_entries`, {
        limit: String(PAGE_LIMIT),
        offset: String(offset),
        is_overview: "false",
        time_zone: "UTC",
        "include[]": ["channels"],
      }),
    );
    for (const raw of page.log_entries) {
      const parsed = logEntrySchema.safeParse(raw);
      if (parsed.success) entries.push(parsed.data);
    }
    if (!page.more || page.log_entries.length === 0) break;
  }
  return entries.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
}

/**
 * Incidents with any activity (acknowledged, resolved, reopened, noted…) in [since, until), with the
 * PagerDuty service each log entry names (so other services' incidents need not be fetched).
 */
export async function changedIncidents(client: PagerdutyClient, sinceMs: number, untilMs: number): Promise<Map<string, string | undefined>> {
  const changed = new Map<string, string | undefined>();
  for (const raw of await listRange(client, "log_entries", "log_entries", sinceMs, untilMs, { is_overview: "true" })) {
    const entry = raw as { incident?: { id?: unknown }; service?: { id?: unknown } };
    if (typeof entry.incident?.id !== "string") continue;
    changed.set(entry.incident.id, typeof entry.service?.id === "string" ? entry.service.id : changed.get(entry.incident.id));
  }
  return changed;
}
