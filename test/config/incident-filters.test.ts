import { describe, expect, it } from "vitest";
import { resolveIncidentFilters } from "../../src/config/incident-filters.js";
import { matchesFilter } from "../../src/domain/incident-filter.js";
import { testConfig } from "../metrics/factories.js";

// Resolving `incidents` per service (most specific wins, each filter on its own) and the
// fingerprint the store re-derives on.

const teams = (payments: Record<string, unknown> | undefined, platform: string[] = ["gateway"]) => [
  { id: "payments", name: "Payments", services: ["checkout", "ledger"], ...(payments ? { incidents: payments } : {}) },
  { id: "platform", name: "Platform", services: platform },
];

describe("incident filters", () => {
  it("resolve service, then team, then top level, each filter on its own", () => {
    const filters = resolveIncidentFilters(testConfig({
      incidents: { change_failure: { severities: ["SEV1"] }, recovery: { urgencies: ["high"] } },
      teams: teams({ recovery: { severities: ["SEV1", "SEV2"] } }),
      services: [{ id: "ledger", incidents: { change_failure: { priorities: ["P1"] } } }],
    }));
    expect(filters.forService("checkout")).toEqual({ changeFailure: { severities: ["SEV1"] }, recovery: { severities: ["SEV1", "SEV2"] } });
    expect(filters.forService("ledger")).toEqual({ changeFailure: { priorities: ["P1"] }, recovery: { severities: ["SEV1", "SEV2"] } });
    expect(filters.forService("gateway")).toEqual({ changeFailure: { severities: ["SEV1"] }, recovery: { urgencies: ["high"] } });
    expect(filters.forService("not-in-config")).toEqual(filters.topLevel);
    expect(filters.forService(null)).toEqual(filters.topLevel);
  });

  it("match every list given, case-insensitively, and not an incident missing the attribute", () => {
    const filter = { severities: ["sev1", "SEV2"], urgencies: ["high" as const] };
    expect(matchesFilter(filter, { severity: "SEV1", urgency: "high" })).toBe(true);
    expect(matchesFilter(filter, { severity: "SEV2", urgency: "low" })).toBe(false);
    expect(matchesFilter(filter, { urgency: "high" })).toBe(false);
    expect(matchesFilter(undefined, {})).toBe(true);
  });

  it("have a fingerprint that is empty without filters and changes with any service's resolved filters", () => {
    expect(resolveIncidentFilters(testConfig()).fingerprint).toBe("");
    const base = { incidents: { recovery: { urgencies: ["high"] } }, teams: teams({ recovery: { severities: ["SEV1"] } }) };
    const a = resolveIncidentFilters(testConfig(base)).fingerprint;
    expect(resolveIncidentFilters(testConfig(base)).fingerprint).toBe(a);
    // Same filters, but gateway moves to payments: its recovery filter changes.
    const moved = { ...base, teams: teams({ recovery: { severities: ["SEV1"] } }, []).map((t) => (t.id === "payments" ? { ...t, services: [...t.services, "gateway"] } : t)) };
    expect(resolveIncidentFilters(testConfig(moved)).fingerprint).not.toBe(a);
    // List order does not matter.
    expect(resolveIncidentFilters(testConfig({ incidents: { change_failure: { severities: ["SEV2", "SEV1"] } } })).fingerprint)
      .toBe(resolveIncidentFilters(testConfig({ incidents: { change_failure: { severities: ["SEV1", "SEV2"] } } })).fingerprint);
  });
});
