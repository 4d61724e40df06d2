import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseFocusCost } from "../../../src/sources/files/cost.js";

const focus = readFileSync(new URL("../../fixtures/cost/focus.csv", import.meta.url), "utf8");
const options = { serviceTag: "service", knownServices: ["checkout", "search", "web"] };
const day = (d: number) => Date.parse(`2026-05-0${d}T00:00:00Z`);

describe("FOCUS cost export → infra_cost_usd samples", () => {
  it("sums BilledCost per tagged service and charge period; untagged and unknown tags go to org scope", () => {
    const result = parseFocusCost(focus, "focus.csv", options);
    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.records.map((r) => r.kind === "metric" && [r.service ?? "(org)", r.atMs, r.untilMs, r.value])).toEqual([
      ["(org)", day(1), day(2), 5.5],
      ["checkout", day(1), day(2), 15.65],
      ["search", day(1), day(2), 7.6],
      ["(org)", day(2), day(3), 4],
      ["checkout", day(2), day(3), 10.55],
    ]);
    expect(result.records.every((r) => r.kind === "metric" && r.name === "infra_cost_usd" && r.source === "cost")).toBe(true);
    expect(result.summary).toEqual({ rows: 8, totalUsd: 43.3, untaggedUsd: 9.5, services: 2, unknownTagValues: ["legacy-cron"] });
  });

  it("uses EffectiveCost when asked", () => {
    const result = parseFocusCost(focus, "focus.csv", { ...options, costColumn: "EffectiveCost" });
    expect(result.ok && result.summary.totalUsd).toBe(11.1 + 3.25 + 7.6 + 4 + 1.5 + 11.2 + 0 + 4);
  });

  it("reads a different tag key and accepts every service when the config lists none", () => {
    const csv = 'BilledCost,ChargePeriodStart,ChargePeriodEnd,Tags\n2.5,2026-05-01 00:00:00,2026-05-02 00:00:00,"{""app"":""Billing""}"\n';
    const result = parseFocusCost(csv, "c.csv", { serviceTag: "app", knownServices: [] });
    expect(result.ok && result.records).toEqual([
      { kind: "metric", source: "cost", service: "billing", name: "infra_cost_usd", atMs: day(1), untilMs: day(2), value: 2.5 },
    ]);
  });

  it("names the row and column of every bad value", () => {
    const csv = [
      "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,Tags",
      "1.00,USD,2026-05-01T00:00:00Z,2026-05-02T00:00:00Z,",
      'abc,USD,2026-05-01T00:00:00Z,2026-05-02T00:00:00Z,"{""service"":""web""}"',
      "2.00,EUR,2026-05-01T00:00:00Z,2026-05-02T00:00:00Z,",
      "3.00,USD,yesterday,2026-05-01T00:00:00Z,not-json",
    ].join("\n");
    const result = parseFocusCost(csv, "cost.csv", options);
    expect(result).toEqual({
      ok: false,
      problems: [
        'cost.csv:3: BilledCost: expected a number, got "abc"',
        'cost.csv:4: BillingCurrency: expected USD (costs are stored in US dollars), got "EUR"',
        'cost.csv:5: ChargePeriodStart: expected a UTC date-time such as 2026-05-01T00:00:00Z, got "yesterday"',
        'cost.csv:5: Tags: expected a JSON object such as {"service":"checkout"}, got "not-json"',
      ],
    });
  });

  it("names missing FOCUS columns and refuses a CSV with ragged rows", () => {
    expect(parseFocusCost("Cost,Start\n1,2\n", "x.csv", options)).toEqual({
      ok: false,
      problems: [
        "x.csv:1: BilledCost: missing column (a FOCUS export has BilledCost, ChargePeriodStart and ChargePeriodEnd)",
        "x.csv:1: ChargePeriodStart: missing column (a FOCUS export has BilledCost, ChargePeriodStart and ChargePeriodEnd)",
        "x.csv:1: ChargePeriodEnd: missing column (a FOCUS export has BilledCost, ChargePeriodStart and ChargePeriodEnd)",
      ],
    });
    const ragged = parseFocusCost("BilledCost,ChargePeriodStart,ChargePeriodEnd\n1,2026-05-01,2026-05-02,extra\n", "r.csv", options);
    expect(!ragged.ok && ragged.problems[0]).toMatch(/^r\.csv:2: not valid CSV/);
  });
});
