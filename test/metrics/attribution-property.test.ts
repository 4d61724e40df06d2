import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fileConfigSchema } from "../../src/config/file.js";
import { METRIC_IDS } from "../../src/domain/metric-ids.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import type { Scope } from "../../src/domain/scope.js";
import type { KpiAnswer } from "../../src/domain/answer.js";
import { answerKpi } from "../../src/query/run.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";
import { commit, DAY, deployment, HOUR, incident, LAST_30D, NOW, sample } from "./factories.js";

// Issue 13 "Exact attribution": over random organisations, every decomposition of every metric at
// every scope adds up to the change (floating-point error only) and its shares to 100.

const SERVICES = ["s1", "s2", "s3", "s4", "s5"] as const;
const config = fileConfigSchema.parse({
  teams: [
    { id: "alpha", name: "Alpha", services: ["s1", "s2", "s3"] },
    { id: "beta", name: "Beta", services: ["s4", "s5"] },
  ],
  // Every window is "thick enough": the decompositions are computed for all of them.
  metrics: { min_sample_size: 1 },
});
const PREVIOUS_FROM = LAST_30D.fromMs - 30 * DAY;

const event = fc.record({
  service: fc.constantFrom(...SERVICES),
  /** Position in the 60 days before now. */
  at: fc.integer({ min: 0, max: 60 * 24 - 30 }),
  failed: fc.boolean(),
  lead: fc.integer({ min: -2, max: 200 }),
  pickup: fc.integer({ min: -3, max: 40 }),
  size: fc.integer({ min: 1, max: 2000 }),
  repair: fc.integer({ min: 1, max: 48 }),
  ack: fc.integer({ min: 0, max: 5 }),
  severity: fc.constantFrom("SEV1", "SEV2", undefined),
  value: fc.double({ min: 0, max: 1, noNaN: true }),
});

type Event = typeof event extends fc.Arbitrary<infer T> ? T : never;

function organisation(events: readonly Event[]): VitalsRecord[] {
  const records: VitalsRecord[] = [];
  events.forEach((e, i) => {
    const at = PREVIOUS_FROM + e.at * HOUR;
    const committed = at - e.lead * HOUR;
    const opened = committed + 2 * HOUR;
    records.push(deployment({ service: e.service, at, id: `p${i}`, changes: [commit(`c${i}`, committed, { number: i, openedAtMs: opened, firstReviewAtMs: opened + e.pickup * HOUR, mergedAtMs: opened + (e.pickup + 1) * HOUR, size: e.size })] }));
    if (e.failed) records.push(incident({ service: e.service, created: at + HOUR, ack: at + HOUR + e.ack * HOUR, resolved: at + (1 + e.ack + e.repair) * HOUR, severity: e.severity, id: `i${i}` }));
    records.push(sample({ service: e.service, name: "latency_p95_ms", at, value: 50 + 400 * e.value }));
    records.push(sample({ service: e.service, name: "requests", at, value: 1000 + Math.round(9000 * e.value) }));
    records.push(sample({ service: e.service, name: "errors", at, value: Math.round(50 * e.value * e.value) }));
    records.push(sample({ service: e.service, name: "uptime_pct", at, value: 99 + e.value }));
    records.push(sample({ service: e.service, name: "coverage_pct", at, value: 60 + 30 * e.value }));
    records.push(sample({ service: e.service, name: "infra_cost_usd", at, value: 100 + 900 * e.value }));
    records.push(sample({ service: null, name: "active_users", at, value: 1000 + Math.round(5000 * e.value) }));
  });
  return records;
}

const SCOPES: Scope[] = [{ kind: "org", id: null }, { kind: "team", id: "alpha" }, { kind: "team", id: "beta" }, { kind: "service", id: "s1" }];

/** Every decomposition of an answer: its drivers with a contribution, by kind. */
function decompositions(answer: KpiAnswer): Map<string, KpiAnswer["drivers"]> {
  const out = new Map<string, KpiAnswer["drivers"]>();
  for (const d of answer.drivers) {
    if (d.contribution === null) continue;
    out.set(d.kind, [...(out.get(d.kind) ?? []), d]);
  }
  return out;
}

describe("attribution is whole (fast-check over random organisations)", () => {
  it("every decomposition of every metric at every scope adds up to the change, shares to 100", async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 4, maxLength: 60 }), async (events) => {
        const store = createStore(openDatabase(":memory:"));
        store.catalog.syncFromConfig(config);
        store.write(organisation(events));
        for (const scope of SCOPES) {
          for (const metric of METRIC_IDS) {
            const answer = await answerKpi({ store, config, nowMs: NOW }, { metric, scope, window: LAST_30D, windowLabel: "last 30 days" });
            const change = answer.change.absolute;
            if (change === null) continue;
            // A team's answer decomposes by service, the organisation's by team (and service).
            const kinds = decompositions(answer);
            const thin = answer.notes.some((n) => n.includes("too thin"));
            if (scope.kind !== "service" && change !== 0 && !thin) {
              if (metric !== "cost_per_user" || answer.value !== null) expect(kinds.has("service"), `${metric} ${scope.kind}`).toBe(true);
            }
            if (scope.kind === "org" && change !== 0 && !thin && (metric !== "cost_per_user" || answer.value !== null)) expect(kinds.has("team"), metric).toBe(true);
            for (const [kind, parts] of kinds) {
              const sum = parts.reduce((s, d) => s + d.contribution!, 0);
              const tolerance = 1e-9 * Math.max(1, Math.abs(change), ...parts.map((d) => Math.abs(d.contribution!)));
              expect(Math.abs(sum - change), `${metric} ${scope.kind}:${scope.id} by ${kind}: ${sum} vs ${change}`).toBeLessThanOrEqual(tolerance);
              expect(parts.filter((d) => d.rest).length).toBeLessThanOrEqual(1);
              if (change !== 0) {
                const shares = parts.reduce((s, d) => s + d.share!, 0);
                expect(Math.abs(shares - 100), `${metric} ${kind} shares ${shares}`).toBeLessThanOrEqual(1e-6 * Math.max(1, ...parts.map((d) => Math.abs(d.share!))));
              }
              checked++;
            }
          }
        }
        store.close();
      }),
      { numRuns: 15, seed: 13, endOnFailure: true },
    );
    // The property held over many decompositions, not over none.
    expect(checked).toBeGreaterThan(450);
  });
});
