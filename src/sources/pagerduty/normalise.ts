import type { IncidentRecord } from "../../domain/records.js";
import type { StoredIncident } from "../../store/incidents.js";
import type { PdIncident, PdLogEntry } from "./types.js";

// Pure: PagerDuty incident + its log entries → IncidentRecord. The poller and the webhook both
// end here, so both write the same record for the same incident.

/** PagerDuty service id → Vitals service id (from `services[].pagerduty.service_id` in the YAML file). */
export type ServiceMapping = ReadonlyMap<string, string>;

interface Timeline {
  /** First acknowledgement (the incident list drops acknowledgements once resolved). */
  acknowledgedAtMs?: number;
  /** Last resolution: a reopened and re-resolved incident keeps the latest one. */
  resolvedAtMs?: number;
}

function timelineFromLogEntries(entries: readonly PdLogEntry[]): Timeline {
  const timeline: Timeline = {};
  for (const entry of entries) {
    const at = Date.parse(entry.created_at);
    if (Number.isNaN(at)) continue;
    if (entry.type === "acknowledge_log_entry" && (timeline.acknowledgedAtMs === undefined || at < timeline.acknowledgedAtMs)) {
      timeline.acknowledgedAtMs = at;
    }
    if (entry.type === "resolve_log_entry" && (timeline.resolvedAtMs === undefined || at > timeline.resolvedAtMs)) {
      timeline.resolvedAtMs = at;
    }
  }
  return timeline;
}

// An explicit deployment reference is a labelled token, so that ordinary words and numbers in an
// incident never link by accident: `deploy: d-1042`, `deployment d-1042`, `deployment_id=d-1042`,
// `root cause: 9f1c2e7`, `caused by: 9f1c2e7`, `sha: 9f1c2e7`, `commit 9f1c2e7` (case-insensitive).
// Labels may chain ("caused by commit 9f1c2e7").
const REFERENCE = /\b(?:(?:deploy(?:ment)?(?:[ _-]?id)?|root[ _-]?cause|caused[ _-]by|commit|sha)\b\s*[:=#]?\s*)+[`'"]?([A-Za-z0-9][\w./-]{2,79})/gi;

/** The last labelled deployment reference in a text, or undefined. */
export function findDeploymentRef(text: string): string | undefined {
  let found: string | undefined;
  for (const match of text.matchAll(REFERENCE)) {
    const ref = match[1]!.replace(/[.,;:)]+$/, "");
    // "deployment failed", "commit message": a reference has a digit in it.
    if (/\d/.test(ref)) found = ref;
  }
  return found;
}

/**
 * Where an explicit reference is looked for, most deliberate first: the newest note (a responder's
 * conclusion, which may correct an earlier one), then the title, then the alert body / details.
 */
function deploymentRefOf(incident: PdIncident, entries: readonly PdLogEntry[]): string | undefined {
  const notes = entries
    .filter((e) => e.type === "annotate_log_entry")
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  for (const note of notes) {
    const ref = findDeploymentRef(textOf(note.channel));
    if (ref) return ref;
  }
  const title = incident.title ?? incident.summary ?? "";
  const fromTitle = findDeploymentRef(title) ?? findDeploymentRef(incident.description ?? "");
  if (fromTitle) return fromTitle;
  const bodies = [incident.body?.details, incident.first_trigger_log_entry?.channel, ...entries.filter((e) => e.type === "trigger_log_entry").map((e) => e.channel)];
  for (const body of bodies) {
    const ref = findDeploymentRef(textOf(body));
    if (ref) return ref;
  }
  return undefined;
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  const parts: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === "string") parts.push(`${key}: ${v}`);
    else if (Array.isArray(v)) v.forEach((item) => walk(item, key));
    else if (v && typeof v === "object") for (const [k, child] of Object.entries(v)) walk(child, k);
  };
  walk(value, "");
  return parts.join("\n");
}

/** The owner for review reminders: the current assignee, else whoever last took it per the log. */
function ownerOf(incident: PdIncident, entries: readonly PdLogEntry[]): { name?: string; email?: string } {
  const assignee = incident.assignments?.[0]?.assignee ?? incident.assignees?.[0];
  if (assignee) return { name: assignee.name ?? assignee.summary ?? undefined, email: assignee.email ?? undefined };
  // Resolved incidents come back with no assignments; the log still says who had it.
  const byTime = [...entries].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  for (const entry of byTime) {
    const assigned = entry.type === "assign_log_entry" ? entry.assignees?.[0] : undefined;
    if (assigned) return { name: assigned.name ?? assigned.summary ?? undefined, email: assigned.email ?? undefined };
    if ((entry.type === "acknowledge_log_entry" || entry.type === "resolve_log_entry") && entry.agent?.summary && /user/.test(String(entry.agent.type ?? ""))) {
      return { name: entry.agent.summary };
    }
  }
  return {};
}

export function toIncidentRecord(incident: PdIncident, entries: readonly PdLogEntry[], services: ServiceMapping): IncidentRecord {
  const timeline = timelineFromLogEntries(entries);
  const createdAtMs = Date.parse(incident.created_at);
  const resolved = incident.status === "resolved";
  // No resolve entry in the log (e.g. a webhook payload without log): fall back to the incident's own fields.
  const fallbackResolved = incident.resolved_at ?? incident.last_status_change_at;
  const resolvedAtMs = resolved ? (timeline.resolvedAtMs ?? (fallbackResolved ? Date.parse(fallbackResolved) : undefined)) : undefined;
  const owner = ownerOf(incident, entries);
  const pdService = incident.service?.id;
  const service = pdService ? services.get(pdService) : undefined;
  const priority = incident.priority ? (incident.priority.summary ?? incident.priority.name ?? undefined) : undefined;
  return {
    source: "pagerduty",
    externalId: incident.id,
    service,
    externalService: service === undefined && pdService ? `${pdService}${incident.service?.summary ? ` (${incident.service.summary})` : ""}` : undefined,
    title: incident.title ?? incident.summary ?? `PagerDuty incident ${incident.incident_number ?? incident.id}`,
    urgency: incident.urgency ?? undefined,
    priority,
    status: incident.status,
    createdAtMs,
    acknowledgedAtMs: timeline.acknowledgedAtMs,
    resolvedAtMs: resolvedAtMs !== undefined && !Number.isNaN(resolvedAtMs) ? Math.max(resolvedAtMs, createdAtMs) : undefined,
    ownerName: owner.name,
    ownerEmail: owner.email,
    escalationPolicy: incident.escalation_policy?.summary ?? undefined,
    url: incident.html_url ?? undefined,
    deploymentRef: deploymentRefOf(incident, entries),
  };
}

export function serviceMapping(config: { services: readonly { id: string; pagerduty?: { service_id: string } | undefined }[] }): ServiceMapping {
  const map = new Map<string, string>();
  for (const service of config.services) if (service.pagerduty) map.set(service.pagerduty.service_id, service.id);
  return map;
}

/**
 * PagerDuty empties the assignments of a resolved incident, and log entries name users without their
 * email: keep the owner recorded while it was open rather than forget who to remind about the review.
 */
export function keepKnownOwner(record: IncidentRecord, stored: StoredIncident | undefined): IncidentRecord {
  if (!stored || record.ownerEmail !== undefined || stored.owner_email === null) return record;
  if (record.ownerName !== undefined && record.ownerName !== stored.owner_name) return record;
  return { ...record, ownerName: stored.owner_name ?? undefined, ownerEmail: stored.owner_email };
}
