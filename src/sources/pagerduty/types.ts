import { z } from "zod";

// The parts of PagerDuty REST API v2 bodies Vitals reads (https://developer.pagerduty.com/api-reference/).
// Schemas are loose (unknown fields pass) and strict only where a wrong value would corrupt a metric.

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO 8601 timestamp");

const reference = z.object({ id: z.string(), summary: z.string().nullish() }).loose();

const user = z
  .object({ id: z.string(), summary: z.string().nullish(), name: z.string().nullish(), email: z.string().nullish() })
  .loose();

export const incidentSchema = z
  .object({
    id: z.string(),
    incident_number: z.number().nullish(),
    title: z.string().nullish(),
    summary: z.string().nullish(),
    description: z.string().nullish(),
    status: z.enum(["triggered", "acknowledged", "resolved"]),
    urgency: z.enum(["high", "low"]).nullish(),
    created_at: timestamp,
    resolved_at: z.string().nullish(),
    last_status_change_at: z.string().nullish(),
    html_url: z.string().nullish(),
    service: reference.nullish(),
    escalation_policy: reference.nullish(),
    priority: z.object({ id: z.string().nullish(), summary: z.string().nullish(), name: z.string().nullish() }).loose().nullish(),
    assignments: z.array(z.object({ at: z.string().nullish(), assignee: user }).loose()).nullish(),
    /** Webhook v3 payloads carry `assignees` (user references) instead of `assignments`. */
    assignees: z.array(user).nullish(),
    body: z.object({ details: z.unknown() }).loose().nullish(),
    first_trigger_log_entry: z.object({ channel: z.unknown() }).loose().nullish(),
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
