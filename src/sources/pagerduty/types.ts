import { z } from "zod";

// The parts of PagerDuty REST API v2 bodies Vitals reads (https://developer.pagerduty.com/api-reference/).
// Schemas are loose (unknown fields pass) and strict only where a wrong value would corrupt a metric.

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO 8601 timestamp");

const reference = z.object({ id: z.string(), summary: z.string().nullish() }).loose();

const user = z
  .object({ id: z.string(), summary: z.string().nullish(), name: z.string().nullish(), email: z.string().nullish() })
  .loose();

/**
 * A field the metrics do not read (titles, links, owners, deployment references): a missing or
 * odd-shaped value is dropped rather than failing the incident (PagerDuty adds and reshapes these).
 */
const extra = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);

export const incidentSchema = z
  .object({
    id: z.string(),
    incident_number: extra(z.number()),
    title: extra(z.string()),
    summary: extra(z.string()),
    description: extra(z.string()),
    status: z.enum(["triggered", "acknowledged", "resolved"]),
    urgency: extra(z.enum(["high", "low"])),
    created_at: timestamp,
    resolved_at: z.string().nullish(),
    last_status_change_at: z.string().nullish(),
    html_url: extra(z.string()),
    service: reference.nullish(),
    escalation_policy: extra(reference),
    priority: extra(z.object({ id: z.string().nullish(), summary: z.string().nullish(), name: z.string().nullish() }).loose()),
    assignments: extra(z.array(z.object({ at: z.string().nullish(), assignee: user }).loose())),
    /** Webhook v3 payloads carry `assignees` (user references) instead of `assignments`. */
    assignees: extra(z.array(user)),
    body: extra(z.object({ details: z.unknown().optional() }).loose()),
    first_trigger_log_entry: extra(z.object({ channel: z.unknown().optional() }).loose()),
  })
  .loose();
export type PdIncident = z.infer<typeof incidentSchema>;

export const logEntrySchema = z
  .object({
    id: z.string(),
    type: z.string(),
    created_at: timestamp,
    summary: z.string().nullish(),
    agent: reference.nullish(),
    channel: z.unknown().optional(),
    assignees: z.array(user).nullish(),
    incident: reference.nullish(),
  })
  .loose();
export type PdLogEntry = z.infer<typeof logEntrySchema>;

export const logEntriesPageSchema = z
  .object({ log_entries: z.array(z.unknown()), limit: z.number().nullish(), offset: z.number().nullish(), more: z.boolean().nullish() })
  .loose();
