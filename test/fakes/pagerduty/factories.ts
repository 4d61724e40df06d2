import type { FakeIncident, FakeLogEntry } from "./server.js";

// Small builders for PagerDuty REST API v2 bodies (shapes from the API reference).

let sequence = 0;

export function pdIncident(overrides: Partial<FakeIncident> & { id: string; created_at: string; serviceId?: string }): FakeIncident {
  const { serviceId = "PSVC001", ...rest } = overrides;
  return {
    type: "incident",
    summary: `[#${++sequence}] ${overrides.title ?? "Checkout errors"}`,
    incident_number: sequence,
    title: "Checkout errors",
    description: "Checkout errors",
    status: "resolved",
    urgency: "high",
    html_url: `https://acme.pagerduty.com/incidents/${overrides.id}`,
    self: `https://api.pagerduty.com/incidents/${overrides.id}`,
    last_status_change_at: overrides.created_at,
    service: { id: serviceId, type: "service_reference", summary: serviceId === "PSVC001" ? "Checkout API" : `Service ${serviceId}` },
    escalation_policy: { id: "PEP001", type: "escalation_policy_reference", summary: "Checkout on-call" },
    priority: { id: "PPRI1", type: "priority", summary: "P1", name: "P1" },
    assignments: [],
    ...rest,
  } as FakeIncident;
}

export function logEntry(type: string, createdAt: string, extra: Partial<FakeLogEntry> = {}): FakeLogEntry {
  return {
    id: `R${++sequence}`,
    type,
    created_at: createdAt,
    summary: type.replace(/_log_entry$/, ""),
    agent: { id: "PUSER01", type: "user_reference", summary: "Ada Lovelace" },
    channel: { type: "web_trigger" },
    ...extra,
  } as FakeLogEntry;
}

export const assignee = (name: string, email: string) => [
  { at: "2026-01-01T00:00:00Z", assignee: { id: "PUSER01", type: "user", summary: name, name, email } },
];
