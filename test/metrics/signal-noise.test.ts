import { describe, expect, it } from "vitest";
import { fileConfigSchema } from "../../src/config/file.js";
import { METRIC_IDS, type MetricId } from "../../src/domain/metric-ids.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import { buildDigestModel } from "../../src/present/digest-model.js";
import { answerKpi } from "../../src/query/run.js";
import { createRandom, type Random } from "../../src/sources/demo/random.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore, type Store } from "../../src/store/index.js";
import { commit, DAY, deployment, HOUR, incident, sample } from "./factories.js";

// Issue 13 "Signal versus noise": an organisation where nothing changes but chance flags at most
// ~10 % of its week-over-week answers as significant, and its digest names a biggest mover in at
// most 2 of 8 weeks; a planted shift is flagged significant with its service as the top driver.

const SERVICES = ["api", "web", "jobs", "search"] as const;
const config = fileConfigSchema.parse({
  teams: [{ id: "core", name: "Core", services: [...SERVICES] }],
  services: SERVICES.map((id) => ({ id, pagerduty: { service_id: `P${id}` } })),
});
/** Monday 2026-06-01 00:00 UTC: 20 weeks of history before it. */
const END = Date.parse("2026-06-01T00:00:00Z");
const WEEKS = 20;
const START = END - WEEKS * 7 * DAY;

interface Shift {
  /** From this time on, the planted changes apply. */
  fromMs: number;
  cfrService?: string;
  recoveryService?: string;
  leadService?: string;
}

/** Stationary processes per service (each service with its own level), optionally a planted shift. */
function organisation(random: Random, shift?: Shift): VitalsRecord[] {
  const records: VitalsRecord[] = [];
  let n = 0;
  SERVICES.forEach((service, index) => {
    const failureRate = 0.08 + 0.02 * index;
    const latency = 80 + 60 * index;
    for (let day = 0; day < WEEKS * 7; day++) {
      const dayStart = START + day * DAY;
      const shifted = shift !== undefined && dayStart >= shift.fromMs;
      for (let k = random.poisson(3); k > 0; k--) {
        const at = Math.round(dayStart + random.between(8, 18) * HOUR);
        const id = `${service}-${++n}`;
        const leadHours = random.lognormal(Math.log(20), 0.6) * (shifted && shift.leadService === service ? 4 : 1);
        const opened = Math.round(at - leadHours * HOUR);
        records.push(
          deployment({
            service, at, id,
            changes: [commit(`c${n}`, opened - HOUR, { number: n, openedAtMs: opened, firstReviewAtMs: Math.round(opened + 0.3 * leadHours * HOUR), mergedAtMs: Math.round(opened + 0.6 * leadHours * HOUR), size: random.int(5, 900) })],
          }),
        );
        const p = shifted && shift.cfrService === service ? Math.min(0.9, failureRate * 5) : failureRate;
        if (random.chance(p)) {
          const repair = random.lognormal(Math.log(2), 0.7) * (shifted && shift.recoveryService === service ? 8 : 1);
          const created = at + 2 * HOUR;
          records.push(incident({ service, created, ack: Math.round(created + random.between(0.05, 0.5) * HOUR), resolved: Math.round(created + repair * HOUR), severity: random.chance(0.3) ? "SEV2" : "SEV3", ref: id }));
        }
      }
      for (let h = 0; h < 24; h += 6) {
        const at = dayStart + h * HOUR;
        const requests = 20_000 + random.int(0, 2000);
        records.push(sample({ service, name: "latency_p95_ms", at, value: latency * random.lognormal(0, 0.1) }));
        records.push(sample({ service, name: "requests", at, value: requests }));
        records.push(sample({ service, name: "errors", at, value: Math.round(requests * 0.002 * random.lognormal(0, 0.3)) }));
      }
    }
  });
  return records;
}

function storeOf(records: VitalsRecord[]): Store {
  const store = createStore(openDatabase(":memory:"));
  store.catalog.syncFromConfig(config);
  store.write(records);
  return store;
}

const week = (i: number) => ({ fromMs: END - (8 - i) * 7 * DAY, toMs: END - (7 - i) * 7 * DAY });

describe("signal versus noise", () => {
  it("a stationary organisation: at most ~10 % of week-over-week answers significant, a biggest mover in at most 2 of 8 weeks", async () => {
    const store = storeOf(organisation(createRandom(2026)));
    let tested = 0;
    let significant = 0;
    let movers = 0;
    const flagged: string[] = [];
    for (let i = 0; i < 8; i++) {
      const window = week(i);
      const nowMs = window.toMs;
      const answers = await Promise.all(METRIC_IDS.map((metric) => answerKpi({ store, config, nowMs }, { metric, scope: { kind: "team", id: "core" }, window, windowLabel: "week" })));
      for (const a of answers) {
        if (a.change.significant === null) continue;
        tested++;
        if (a.change.significant) {
          significant++;
          flagged.push(`week ${i} ${a.metric} p=${a.change.p_value}`);
        }
      }
      const model = buildDigestModel({ team: { id: "core", name: "Core" }, zone: "UTC", fromMs: window.fromMs, toMs: window.toMs, weekLabel: `week ${i}`, answers, reviews: [], reviewCompletion: { incidents: 0, done: 0 } });
      if (model.biggestMover) movers++;
    }
    // Deployment frequency, lead time, CFR, MTTR, MTTA, latency, error rate are testable each week.
    expect(tested).toBeGreaterThanOrEqual(8 * 6);
    expect(significant / tested, flagged.join("; ")).toBeLessThanOrEqual(0.1);
    expect(movers).toBeLessThanOrEqual(2);
    await store.close();
  });

  it("a planted shift is significant, with the planted service as the top driver", async () => {
    const shiftFrom = END - 28 * DAY;
    const store = storeOf(organisation(createRandom(7), { fromMs: shiftFrom, cfrService: "web", recoveryService: "jobs", leadService: "search" }));
    const window = { fromMs: shiftFrom, toMs: END };
    const expectations: Array<[MetricId, string]> = [["change_failure_rate", "web"], ["mttr", "jobs"], ["lead_time", "search"]];
    for (const [metric, service] of expectations) {
      const answer = await answerKpi({ store, config, nowMs: END }, { metric, scope: { kind: "team", id: "core" }, window, windowLabel: "last 28 days" });
      expect(answer.change.significant, metric).toBe(true);
      expect(answer.change.p_value!).toBeLessThan(0.05);
      const top = answer.drivers.filter((d) => d.kind === "service" && !d.rest)[0];
      expect(top?.label, metric).toBe(service);
      expect(answer.findings.some((f) => f.kind === "no_change")).toBe(false);
    }
    await store.close();
  });
});
