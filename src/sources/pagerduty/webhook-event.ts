import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { IncidentRecord } from "../../domain/records.js";
import type { StoredIncident } from "../../store/incidents.js";
import { findDeploymentRef, keepKnownOwner, toIncidentRecord, type ServiceMapping } from "./normalise.js";
import { incidentSchema } from "./types.js";

// PagerDuty Webhooks v3 (https://developer.pagerduty.com/docs/webhooks/v3-overview/): pure parts.

/** Events that change what Vitals records about an incident. */
export const HANDLED_EVENTS = [
  "incident.triggered",
  "incident.acknowledged",
  "incident.unacknowledged",
  "incident.resolved",
  "incident.reopened",
  "incident.priority_updated",
  "incident.reassigned",
  "incident.escalated",
  "incident.annotated",
] as const;

/**
 * PAGERDUTY_WEBHOOK_SECRET holds one secret, or several separated by commas while a subscription's
 * secret is being rotated (old and new both accepted until the old one is removed).
 */
export function webhookSecrets(setting: string | undefined): string[] {
  return (setting ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`: HMAC-SHA256 of the raw body with the subscription's
 * secret. Several signatures are sent while PagerDuty rotates a secret; one match from any
 * configured secret is enough. https://developer.pagerduty.com/docs/webhooks/webhook-signatures/
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  if (!header || secrets.length === 0) return false;
  const signatures = header
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.startsWith("v1="))
    .map((part) => Buffer.from(part.slice(3), "hex"));
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(rawBody).digest();
    if (signatures.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected))) return true;
  }
  return false;
}

export const webhookEnvelopeSchema = z.object({
  event: z
    .object({
      id: z.string().min(1),
      event_type: z.string().min(1),
      resource_type: z.string(),
      occurred_at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO timestamp"),
      data: z.record(z.string(), z.unknown()),
    })
    .loose(),
});
export type WebhookEvent = z.infer<typeof webhookEnvelopeSchema>["event"];

/** The incident an event is about: `data` is the incident, or for `incident.annotated` a note on it. */
export function incidentIdOf(event: WebhookEvent): string | undefined {
  const data = event.data as { id?: unknown; type?: unknown; incident?: { id?: unknown } };
  const id = data.type === "incident_note" ? data.incident?.id : data.id;
  return typeof id === "string" && id.length > 0 ? id : undefined;
}

function recordFromStored(row: StoredIncident): IncidentRecord {
  const value = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
  return {
    source: "pagerduty",
    externalId: row.external_id,
    service: value(row.service_id),
    externalService: value(row.external_service),
    title: row.title,
    severity: value(row.severity),
    urgency: value(row.urgency),
    priority: value(row.priority),
    status: value(row.status),
    createdAtMs: row.created_at,
    acknowledgedAtMs: value(row.acknowledged_at),
    resolvedAtMs: value(row.resolved_at),
    ownerName: value(row.owner_name),
    ownerEmail: value(row.owner_email),
    escalationPolicy: value(row.escalation_policy),
    url: value(row.url),
    deploymentRef: value(row.deployment_ref),
  };
}

export type EventOutcome = IncidentRecord | { readonly error: string } | { readonly skip: string };

/**
 * The record from the event alone (used when the REST API is not configured or does not answer in
 * time): the payload has no log, so acknowledgement and resolution come from the event's time and
 * from what is already stored. Deliveries can arrive out of order: an event older than the stored
 * resolution does not reopen the incident.
 */
export function recordFromEvent(event: WebhookEvent, stored: StoredIncident | undefined, services: ServiceMapping): EventOutcome {
  const occurredMs = Date.parse(event.occurred_at);
  if (event.event_type === "incident.annotated") {
    if (!stored) return { skip: "a note on an incident Vitals has not recorded yet" };
    const content = (event.data as { content?: unknown }).content;
    const ref = typeof content === "string" ? findDeploymentRef(content) : undefined;
    return { ...recordFromStored(stored), deploymentRef: ref ?? stored.deployment_ref ?? undefined };
  }
  const data = { ...event.data } as Record<string, unknown>;
  data.created_at ??= stored ? new Date(stored.created_at).toISOString() : event.occurred_at;
  const parsed = incidentSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `event.data.${issue?.path.join(".")}: ${issue?.message}` };
  }
  const base = keepKnownOwner(toIncidentRecord(parsed.data, [], services), stored);
  const storedAck = stored?.acknowledged_at ?? undefined;
  const acknowledgedAtMs =
    event.event_type === "incident.acknowledged" ? Math.min(occurredMs, storedAck ?? occurredMs) : storedAck;
  const staleAfterResolution = stored?.resolved_at != null && occurredMs < stored.resolved_at && event.event_type !== "incident.resolved";
  let status = base.status;
  let resolvedAtMs: number | undefined;
  if (staleAfterResolution) {
    status = "resolved";
    resolvedAtMs = stored.resolved_at ?? undefined;
  } else if (event.event_type === "incident.resolved") resolvedAtMs = Math.max(occurredMs, stored?.resolved_at ?? occurredMs);
  else if (parsed.data.status === "resolved") resolvedAtMs = stored?.resolved_at ?? occurredMs;
  return {
    ...base,
    status,
    acknowledgedAtMs,
    resolvedAtMs,
    deploymentRef: base.deploymentRef ?? stored?.deployment_ref ?? undefined,
  };
}
