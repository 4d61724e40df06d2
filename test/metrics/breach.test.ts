import { describe, expect, it } from "vitest";
import { breachIncidents, causeText, sampleOutages } from "../../src/metrics/breach.js";
import { ask, DAY, HOUR as FH, LAST_30D, newStore, NOW, sample, testConfig } from "./factories.js";
import type { BreachIncidentRow } from "../../src/store/rows.js";

// A breach explained (issue 13, item 5): the incidents or outages of the services past the line.

const H = 3_600_000;
const from = Date.parse("2026-11-01T00:00:00Z");
const window = { fromMs: from, toMs: from + 30 * 24 * H };
const now = window.toMs + H;
const hours = (h: number): string => `${h.toFixed(2)} h`;

const row = (over: Partial<BreachIncidentRow>): BreachIncidentRow => ({
  service: "api", title: "api down", url: null, severity: "SEV1", created_at: from + 24 * H, acknowledged_at: null,
  resolved_at: from + 26 * H, counts_recovery: 1, outage: 1, deployment: null, ...over,
});

describe("breachIncidents", () => {
  it("uptime: only outages, their time down clipped to the window, longest first, per service in the given order", async () => {
    const rows = [
      row({ title: "started before the window", created_at: from - 3 * H, resolved_at: from + 1 * H }),
      row({ title: "long outage", created_at: from + 48 * H, resolved_at: from + 52 * H }),
      row({ title: "not an outage", outage: 0, severity: "SEV3", created_at: from + 60 * H, resolved_at: from + 80 * H }),
      row({ service: "web", title: "web outage", created_at: from + 5 * H, resolved_at: from + 5.5 * H }),
    ];
    const { drivers, causes } = breachIncidents("uptime", rows, ["web", "api"], window, now, hours);
    expect(causes).toEqual([
      { service: "web", count: 1, hours: 0.5, noun: "outage", top: { title: "web outage", at: from + 5 * H, hours: 0.5 } },
      { service: "api", count: 2, hours: 5, noun: "outage", top: { title: "long outage", at: from + 48 * H, hours: 4 } },
    ]);
    expect(drivers.map((d) => d.label)).toEqual(["web outage", "long outage", "started before the window"]);
    expect(drivers.every((d) => d.kind === "incident" && d.contribution === null && d.share === null)).toBe(true);
    expect(drivers[1]!.detail).toBe("SEV1 outage, 4.00 h down in the window, 2026-11-03; api is past the line");
    expect(causeText(causes[1]!, hours)).toBe('2 outages, 5.00 h in all: the longest "long outage" on 2026-11-03');
  });

  it("an open outage counts up to now or the window's end, whichever is first", async () => {
    const { causes } = breachIncidents("uptime", [row({ created_at: window.toMs - 2 * H, resolved_at: null })], ["api"], window, now, hours);
    expect(causes[0]!.hours).toBe(2);
  });

  it("MTTR: the incidents resolved in the window that count for recovery, by time to resolve", async () => {
    const rows = [
      row({ title: "resolved after the window", resolved_at: window.toMs + 1 }),
      row({ title: "filtered out", counts_recovery: 0, resolved_at: from + 100 * H }),
      row({ title: "slow", created_at: from + 10 * H, resolved_at: from + 30 * H, outage: 0 }),
    ];
    const { causes, drivers } = breachIncidents("mttr", rows, ["api"], window, now, hours);
    expect(causes).toEqual([{ service: "api", count: 1, hours: 20, noun: "incident", top: { title: "slow", at: from + 10 * H, hours: 20 } }]);
    expect(drivers[0]!.detail).toContain("20.00 h to resolve");
  });

  it("CFR: the incidents that failed a deployment, latest first, without hours", async () => {
    const rows = [
      row({ title: "no deployment", deployment: null }),
      row({ title: "older", deployment: "d1", created_at: from + 2 * H }),
      row({ title: "latest", deployment: "d2", created_at: from + 9 * H }),
    ];
    const { causes, drivers } = breachIncidents("change_failure_rate", rows, ["api"], window, now, hours);
    expect(causes[0]).toMatchObject({ count: 2, hours: null, top: { title: "latest" } });
    expect(drivers.map((d) => d.detail)).toEqual(["SEV1 failed deployment d2, 2026-11-01; api is past the line", "SEV1 failed deployment d1, 2026-11-01; api is past the line"]);
    expect(causeText(causes[0]!, hours)).toBe('2 deployment-caused incidents, the latest "latest" on 2026-11-01');
  });

  it("metrics incidents do not move name none", async () => {
    expect(breachIncidents("lead_time", [row({})], ["api"], window, now, hours)).toEqual({ drivers: [], causes: [] });
    expect(breachIncidents("coverage", [row({})], ["api"], window, now, hours)).toEqual({ drivers: [], causes: [] });
  });
});

describe("sampleOutages", () => {
  it("availability samples below 100 % are the outages, each down for its share of the time it covers", async () => {
    const samples = [
      { service: "api", at: from, value: 100 },
      { service: "api", at: from + 24 * H, value: 75 }, // covers 24 h: 6 h down
      { service: "api", at: from + 48 * H, value: 99 }, // covers 24 h: 0.24 h down
      { service: "api", at: from + 72 * H, value: 100 },
      { service: "api", at: window.toMs - 10 * H, value: 90 }, // covers 10 h to the window's end: 1 h down
    ];
    const { drivers, causes } = sampleOutages(samples, ["api"], window, now, hours);
    expect(causes).toHaveLength(1);
    expect(causes[0]!.count).toBe(3);
    expect(causes[0]!.hours).toBeCloseTo(7.24, 12);
    expect(drivers.map((d) => [d.kind, d.label, d.detail])).toEqual([
      ["outage", "availability 75 % from 2026-11-02", "6.00 h down per availability samples; api is past the line"],
      ["outage", "availability 90 % from 2026-11-30", "1.00 h down per availability samples; api is past the line"],
      ["outage", "availability 99 % from 2026-11-03", "0.24 h down per availability samples; api is past the line"],
    ]);
    expect(causeText(causes[0]!, hours)).toBe('3 periods below 100 %, 7.24 h in all: the longest "availability 75 % from 2026-11-02" on 2026-11-02');
  });

  it("a service's uptime breach from samples alone names its worst period", async () => {
    const config = testConfig({ thresholds: [{ metric: "uptime", warn: 99.9, critical: 99.5 }] });
    const store = newStore(config);
    const days = Array.from({ length: 30 }, (_, i) => LAST_30D.fromMs + i * DAY);
    await store.write(days.map((at, i) => sample({ service: "checkout", name: "uptime_pct", at, value: i === 10 ? 80 : 100 })));
    const answer = await ask(store, "uptime", { config, nowMs: NOW + FH });
    expect(answer.threshold.status).toBe("critical");
    expect(answer.drivers.find((d) => d.kind === "outage")).toMatchObject({ service: "checkout", current: 80, contribution: null });
    expect(answer.findings[0]).toMatchObject({ kind: "breach", text: expect.stringContaining('checkout is past the warn line with 1 period below 100 %, 4.8 h: "availability 80 %') });
  });
});
