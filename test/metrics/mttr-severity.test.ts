import { describe, expect, it } from "vitest";
import { ask, deployment, HOUR, incident, LAST_30D, newStore } from "./factories.js";

// Issue 16 item 4 on the merged attribution (issue 13): a team's MTTR answer splits its change by
// severity, whole, and shows the failed deployment recovery time beside the mean.

describe("MTTR by severity among the drivers", () => {
  it("a team's severity decomposition is the weighted mix computed by hand, adds up to the change, and the change-caused recovery time sits beside it", async () => {
    const store = newStore();
    const prev = LAST_30D.fromMs - 20 * 24 * HOUR;
    const cur = LAST_30D.fromMs + 5 * 24 * HOUR;
    await store.write([
      // Previous window: 2 SEV1 of 2 h, 2 SEV2 of 4 h → mean 3 h.
      ...[0, 1].map((i) => incident({ id: `p1-${i}`, severity: "SEV1", created: prev + i * 48 * HOUR, resolved: prev + i * 48 * HOUR + 2 * HOUR })),
      ...[2, 3].map((i) => incident({ id: `p2-${i}`, severity: "SEV2", created: prev + i * 48 * HOUR, resolved: prev + i * 48 * HOUR + 4 * HOUR })),
      // Current window: 3 SEV1 of 2 h, 1 SEV2 of 10 h right after a deployment → mean 4 h.
      ...[0, 1, 2].map((i) => incident({ id: `c1-${i}`, severity: "SEV1", created: cur + i * 48 * HOUR, resolved: cur + i * 48 * HOUR + 2 * HOUR })),
      deployment({ id: "d-1", at: cur + 7 * 24 * HOUR }),
      incident({ id: "c2-0", severity: "SEV2", created: cur + 7 * 24 * HOUR + HOUR, resolved: cur + 7 * 24 * HOUR + 11 * HOUR }),
    ]);
    const answer = await ask(store, "mttr", { scope: { kind: "team", id: "payments" } });
    expect(answer.value).toBe(4);
    expect(answer.change.absolute).toBe(1);
    const severity = answer.drivers.filter((d) => d.kind === "severity");
    // Weights ½,½ → ¾,¼; means SEV1 2 → 2 h, SEV2 4 → 10 h; pooled mean 3 → 4 (midpoint 3.5):
    // SEV1 = ½·0 + (2 − 3.5)·¼ = −0.375 h; SEV2 = ⅜·6 + (7 − 3.5)·(−¼) = 1.375 h.
    expect(severity.map((d) => d.label).sort()).toEqual(["SEV1", "SEV2"]);
    expect(severity.find((d) => d.label === "SEV1")!.contribution).toBeCloseTo(-0.375, 12);
    expect(severity.find((d) => d.label === "SEV2")!.contribution).toBeCloseTo(1.375, 12);
    expect(severity.reduce((s, d) => s + d.contribution!, 0)).toBeCloseTo(answer.change.absolute!, 12);
    expect(severity.reduce((s, d) => s + d.share!, 0)).toBeCloseTo(100, 9);
    // The team's service decomposition is whole too.
    const services = answer.drivers.filter((d) => d.kind === "service" && d.contribution !== null);
    expect(services.reduce((s, d) => s + d.contribution!, 0)).toBeCloseTo(1, 12);
    // DORA's failed deployment recovery time: the one change-caused incident, 10 h.
    expect(answer.stats).toMatchObject({ change_caused_count: 1, failed_deployment_recovery_mean_hours: 10 });
    expect(answer.definition).toMatch(/failed deployment recovery time 10(\.0)? h/);
  });
});
