import { DateTime } from "luxon";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ask, commit, DAY, deployment, HOUR, incident, LAST_30D, newStore, NOW, sample, testConfig } from "../metrics/factories.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import { METRIC_IDS } from "../../src/domain/metric-ids.js";
import { METRICS } from "../../src/metrics/catalog.js";

const ORG = { kind: "org", id: null } as const;

describe("answerKpi", () => {
  it("compares with the previous window of equal length", async () => {
    const store = newStore();
    await store.write([
      ...[1, 2].map((i) => deployment({ at: LAST_30D.fromMs - i * DAY })),
      ...[1, 2, 3].map((i) => deployment({ at: LAST_30D.fromMs + i * DAY })),
    ]);
    const answer = await ask(store, "deployment_frequency");
    expect(answer.previous.window).toEqual({ from: new Date(LAST_30D.fromMs - 30 * DAY).toISOString(), to: new Date(LAST_30D.fromMs).toISOString() });
    expect(answer.previous.sample_size).toBe(2);
    expect(answer.change.absolute).toBeCloseTo(1 / 30, 3);
    expect(answer.change.percent).toBeCloseTo(50, 0);
    expect(answer.window).toEqual({ from: new Date(LAST_30D.fromMs).toISOString(), to: new Date(NOW).toISOString(), label: "last 30 days" });
    expect(answer.scope).toEqual({ kind: "service", id: "checkout" });
    expect(answer.unit).toBe("per_day");
  });

  it("has 12 weekly points starting on Mondays in the team's time zone, the last ending at the window's end", async () => {
    const store = newStore();
    const answer = await ask(store, "deployment_frequency", { scope: { kind: "team", id: "platform" } });
    expect(answer.series).toHaveLength(12);
    for (const point of answer.series) {
      const from = DateTime.fromISO(point.from, { zone: "America/New_York" });
      expect(from.weekday).toBe(1);
      expect(from.hour).toBe(0);
    }
    expect(answer.series.at(-1)!.to).toBe(new Date(NOW).toISOString());
    expect(answer.series[0]!.value).toBe(0);
  });

  it("puts a deployment in the week of its local day", async () => {
    const store = newStore();
    // Sunday 23:30 in New York is Monday 04:30 UTC: it belongs to the week that ends that Sunday.
    const sundayNight = DateTime.fromISO("2026-03-22T23:30:00", { zone: "America/New_York" }).toMillis();
    await store.write([deployment({ service: "gateway", at: sundayNight })]);
    const answer = await ask(store, "deployment_frequency", { scope: { kind: "service", id: "gateway" } });
    const week = answer.series.find((p) => p.sample_size === 1)!;
    expect(DateTime.fromISO(week.from, { zone: "America/New_York" }).toISODate()).toBe("2026-03-16");
  });

  it("takes the threshold of the most specific scope and knows which way is bad", async () => {
    const config = testConfig({
      thresholds: [
        { metric: "change_failure_rate", warn: 10, critical: 20 },
        { metric: "change_failure_rate", team: "payments", warn: 30, critical: 60 },
        { metric: "change_failure_rate", service: "checkout", warn: 40, critical: 50 },
        { metric: "uptime", warn: 99.9, critical: 99 },
      ],
    });
    const store = newStore(config);
    const IN = LAST_30D.fromMs + DAY;
    await store.write([deployment({ at: IN }), deployment({ at: IN + 2 * DAY }), incident({ created: IN + HOUR, severity: "SEV1", resolved: IN + 20 * HOUR })]);
    expect((await ask(store, "change_failure_rate", { config })).threshold).toEqual({ status: "critical", warn: 40, critical: 50 });
    expect((await ask(store, "change_failure_rate", { config, scope: { kind: "service", id: "ledger" } })).threshold).toMatchObject({ warn: 30, status: null });
    expect((await ask(store, "change_failure_rate", { config, scope: ORG })).threshold).toMatchObject({ warn: 10, status: "critical" });
    // 19 h of outage in 30 days ≈ 97.4 %: below critical for a lower-is-worse metric
    expect((await ask(store, "uptime", { config })).threshold.status).toBe("critical");
  });

  it("decomposes a change by service and by team, largest first, with shares that add up", async () => {
    const store = newStore();
    const prev = LAST_30D.fromMs - 20 * DAY;
    const cur = LAST_30D.fromMs + DAY;
    const records: VitalsRecord[] = [];
    for (const service of ["checkout", "ledger", "gateway"]) {
      for (let i = 0; i < 4; i++) records.push(deployment({ service, at: prev + i * DAY }), deployment({ service, at: cur + i * DAY }));
    }
    // checkout: two failures now, none before; gateway: one failure before and now.
    records.push(incident({ service: "checkout", created: cur + HOUR }), incident({ service: "checkout", created: cur + DAY + HOUR }));
    records.push(incident({ service: "gateway", created: prev + HOUR }), incident({ service: "gateway", created: cur + 2 * DAY + HOUR }));
    await store.write(records);
    const answer = await ask(store, "change_failure_rate", { scope: ORG });
    const services = answer.drivers.filter((d) => d.kind === "service");
    expect(services[0]).toMatchObject({ label: "checkout", previous: 0, current: 50 });
    expect(services[0]!.share).toBeCloseTo(100, 9);
    expect(services[0]!.detail).toBe("rate +16.7 pp, mix ±0 pp");
    const teams = answer.drivers.filter((d) => d.kind === "team");
    expect(teams[0]!.label).toBe("payments");
    expect(teams.reduce((sum, d) => sum + d.contribution!, 0)).toBeCloseTo(answer.change.absolute!, 12);
    expect(answer.drivers.filter((d) => d.kind === "deployment")).toHaveLength(3);
    // 1 of 12 failed before, 3 of 12 now: the attribution stands, but Fisher's test says noise,
    // and the answer says so instead of asking what changed in checkout.
    expect(answer.change).toMatchObject({ significant: false, test: "fisher_exact" });
    expect(answer.change.p_value!).toBeGreaterThan(0.05);
    expect(answer.prompts[0]).toMatch(/^The change \(\+16\.7 pp\) is within normal variation \(fisher_exact, p = 0\.\d+, n = 12 vs 12\)/);
    expect(answer.prompts.some((p) => p.includes("accounts for"))).toBe(false);
  });

  it("splits a change in deployment frequency by team and service, shares adding up to 1", async () => {
    const store = newStore();
    const records: VitalsRecord[] = [];
    for (let i = 0; i < 3; i++) records.push(deployment({ service: "gateway", at: LAST_30D.fromMs - 10 * DAY + i * HOUR }));
    for (let i = 0; i < 6; i++) records.push(deployment({ service: "checkout", at: LAST_30D.fromMs + DAY + i * HOUR }));
    for (let i = 0; i < 3; i++) records.push(deployment({ service: "gateway", at: LAST_30D.fromMs + 2 * DAY + i * HOUR }));
    await store.write(records);
    const answer = await ask(store, "deployment_frequency", { scope: ORG });
    const teams = answer.drivers.filter((d) => d.kind === "team");
    expect(teams.map((d) => d.label)).toEqual(["payments"]); // platform did not change
    expect(teams[0]!.share).toBeCloseTo(100, 9);
    expect(answer.drivers.filter((d) => d.kind === "service")[0]).toMatchObject({ label: "checkout", detail: "0 → 6 deployments" });
  });

  it("explains a breach by the service past the line even when nothing changed", async () => {
    const config = testConfig({ thresholds: [{ metric: "uptime", warn: 99.9, critical: 99 }] });
    const store = newStore(config);
    const records: VitalsRecord[] = [];
    for (let day = 0; day < 60; day++) {
      const at = LAST_30D.fromMs - 30 * DAY + day * DAY;
      records.push(sample({ service: "checkout", name: "uptime_pct", at, value: 99.2 }), sample({ service: "ledger", name: "uptime_pct", at, value: 100 }));
    }
    await store.write(records);
    const answer = await ask(store, "uptime", { config, scope: { kind: "team", id: "payments" } });
    expect(answer.threshold.status).toBe("warn");
    expect(answer.change.absolute).toBeCloseTo(0, 9);
    expect(answer.findings[0]).toMatchObject({ kind: "breach", evidence: { observed: 99.2, expected: 99.9, n: 1 } });
    // And what put it there: 30 daily samples each 0.8 % down, 30 × 0.008 × 24 h = 5.76 h.
    expect(answer.prompts[0]).toBe('Warn (line 99.9 %): past the warn line checkout (99.2 %: 30 periods below 100 %, 5.8 h in all: the longest "availability 99.2 % from 2026-03-02" on 2026-03-02): what is different there?');
    expect(answer.drivers.filter((d) => d.kind === "outage").map((d) => d.service)).toEqual(["checkout", "checkout", "checkout"]);
    expect(answer.drivers.some((d) => d.kind === "service" && d.label === "checkout" && d.current === 99.2)).toBe(true);
    expect(answer.drivers.some((d) => d.label === "ledger" && d.contribution === null)).toBe(false);
  });

  it("says the data is too thin instead of inventing drivers", async () => {
    const store = newStore(testConfig({ metrics: { min_sample_size: 5 } }));
    await store.write([deployment({ at: LAST_30D.fromMs - DAY }), deployment({ at: LAST_30D.fromMs + DAY }), incident({ created: LAST_30D.fromMs + DAY + HOUR })]);
    const answer = await ask(store, "change_failure_rate", { config: testConfig({ metrics: { min_sample_size: 5 } }) });
    expect(answer.drivers.filter((d) => d.kind === "service" || d.kind === "team")).toEqual([]);
    expect(answer.prompts).toEqual([expect.stringMatching(/too thin to say/)]);
  });

  it("lists the annotations of the scope in the window", async () => {
    const store = newStore();
    await store.write([
      { kind: "annotation", source: "import", externalId: "a1", atMs: LAST_30D.fromMs + DAY, text: "Release train moved", service: "checkout" },
      { kind: "annotation", source: "import", externalId: "a2", atMs: LAST_30D.fromMs + DAY, text: "Gateway upgrade", service: "gateway" },
      { kind: "annotation", source: "import", externalId: "a3", atMs: LAST_30D.fromMs - DAY, text: "Before the window" },
      { kind: "annotation", source: "import", externalId: "a4", atMs: LAST_30D.fromMs + 2 * DAY, text: "Company offsite" },
    ]);
    expect((await ask(store, "lead_time")).annotations.map((a) => a.text)).toEqual(["Release train moved", "Company offsite"]);
    expect((await ask(store, "lead_time", { scope: ORG })).annotations).toHaveLength(3);
  });

  it("answers every metric at every scope on an empty store without inventing numbers", async () => {
    const store = newStore();
    for (const metric of ["deployment_frequency", "lead_time", "change_failure_rate", "mttr", "mtta", "rework_rate", "uptime", "latency_p95", "error_rate", "coverage", "tech_debt_ratio", "cost_per_user"] as const) {
      const answer = await ask(store, metric, { scope: { kind: "team", id: "payments" } });
      expect(answer.series).toHaveLength(12);
      expect(answer.definition.length).toBeGreaterThan(10);
      if (metric === "deployment_frequency") expect(answer.value).toBe(0);
      // No availability samples, no incident source, no incident ever: no uptime, not 100 %.
      else expect(answer.value).toBeNull();
    }
    // With an incident source for the service, a month without outages is 100 %.
    const sourced = testConfig({ services: [{ id: "checkout", pagerduty: { service_id: "PCHK" } }] });
    expect((await ask(store, "uptime", { config: sourced })).value).toBe(100);
  });
});

describe("an asynchronous read (issue 19: the PostgreSQL store answers through Promises)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("gives every metric the same answer when its read resolves later, on another turn of the event loop", async () => {
    const store = newStore();
    await store.write([
      ...[1, 2, 3, 5, 8].map((i) => deployment({ at: LAST_30D.fromMs + i * DAY, id: `d${i}`, status: i === 3 ? "failure" : "success", changes: [commit(`c${i}`, LAST_30D.fromMs + i * DAY - i * HOUR)] })),
      incident({ id: "inc-1", created: LAST_30D.fromMs + 3 * DAY + HOUR, ack: LAST_30D.fromMs + 3 * DAY + 2 * HOUR, resolved: LAST_30D.fromMs + 3 * DAY + 4 * HOUR }),
      sample({ name: "uptime_pct", at: NOW - 2 * DAY, value: 99.5 }),
      sample({ name: "coverage_pct", at: NOW - 2 * DAY, value: 71 }),
    ]);
    const scope = { kind: "org", id: null } as const;
    const synchronous = [];
    for (const metric of METRIC_IDS) synchronous.push(await ask(store, metric, { scope }));
    for (const metric of METRIC_IDS) {
      const spec = METRICS[metric];
      const read = spec.read.bind(spec);
      vi.spyOn(spec, "read").mockImplementation((reads, input) => new Promise((resolve) => setTimeout(() => resolve(read(reads, input)), 1)));
    }
    const later = [];
    for (const metric of METRIC_IDS) later.push(await ask(store, metric, { scope }));
    expect(vi.mocked(METRICS.lead_time.read)).toHaveBeenCalledTimes(1);
    expect(later).toEqual(synchronous);
  });
});
