import { describe, expect, it } from "vitest";
import { decideAlert } from "../../src/alerts/decide.js";
import { parsePreviewArgs, previewThreshold } from "../../src/query/threshold-preview.js";
import { createThresholdPreviewSubcommand } from "../../src/slack/commands/threshold-preview.js";
import type { KpiRequest } from "../../src/query/types.js";
import { testConfig, testDeps } from "../jobs/helpers.js";
import { kpiAnswer } from "../support/answer.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-03-30T12:00:00Z");

/** CFR of team payments by how many days ago the window ends; no data for anyone else. */
function history(request: KpiRequest) {
  const daysAgo = Math.round((NOW - request.window.toMs) / DAY);
  if (request.scope.kind !== "team" || request.scope.id !== "payments") return kpiAnswer(request.metric, { value: null });
  const value = daysAgo >= 60 ? 8 : daysAgo >= 30 ? 12 : daysAgo >= 10 ? 16 : 9.5;
  return kpiAnswer(request.metric, { value });
}

describe("threshold preview", () => {
  it("parses metric aliases, both levels with or without keywords, and an optional scope", async () => {
    const config = testConfig();
    expect(parsePreviewArgs(["cfr", "warn", "10", "critical", "15"], config)).toEqual({ ok: true, value: { metric: "change_failure_rate", warn: 10, critical: 15 } });
    expect(parsePreviewArgs(["mttr", "4", "12", "for", "team", "payments"], config)).toEqual({
      ok: true,
      value: { metric: "mttr", warn: 4, critical: 12, scope: { kind: "team", id: "payments" } },
    });
    expect(parsePreviewArgs(["uptime", "99.9", "99.5", "for", "ledger"], config)).toMatchObject({ ok: true, value: { scope: { kind: "service", id: "ledger" } } });
  });

  it("explains bad input: unknown metric, missing numbers, inverted levels, unknown scope", async () => {
    const config = testConfig();
    expect(parsePreviewArgs(["velocity", "1", "2"], config)).toMatchObject({ ok: false, error: expect.stringContaining("Which metric?") });
    expect(parsePreviewArgs(["cfr", "warn", "10"], config)).toMatchObject({ ok: false, error: expect.stringContaining("Give two numbers") });
    expect(parsePreviewArgs(["cfr", "15", "10"], config)).toMatchObject({ ok: false, error: expect.stringContaining("critical must be at or above warn") });
    expect(parsePreviewArgs(["uptime", "99.5", "99.9"], config)).toMatchObject({ ok: false, error: expect.stringContaining("critical must be at or below warn") });
    expect(parsePreviewArgs(["cfr", "10", "15", "for", "team", "mobile"], config)).toMatchObject({ ok: false, error: expect.stringContaining('Unknown team "mobile"') });
  });

  it("replays the threshold daily over 90 days with hysteresis and counts the alerts it would have posted", async () => {
    const deps = testDeps();
    const requests: KpiRequest[] = [];
    const previews = await previewThreshold({ store: deps.store, config: deps.config, nowMs: NOW }, { answerKpi: async (_ctx, r) => (requests.push(r), history(r)), decideAlert }, {
      metric: "change_failure_rate",
      warn: 10,
      critical: 15,
    });
    expect(previews.map((p) => p.scope)).toEqual([{ kind: "org", id: null }, { kind: "team", id: "payments" }, { kind: "team", id: "growth" }]);
    const payments = previews[1]!;
    // warn 59 days ago, critical 29 days ago; 9.5 % in the last 10 days is within the 1 pp margin: still breached.
    expect(payments).toMatchObject({ value: 9.5, status: "warn", fires: 2, criticalFires: 1, breachedDays: 60, evaluatedDays: 90 });
    expect(previews[0]).toMatchObject({ status: null, fires: 0, evaluatedDays: 0 });
    expect(requests[0]!.window.toMs - requests[0]!.window.fromMs).toBe(30 * DAY);
  });

  it("answers /kpi threshold preview in Slack words", async () => {
    const deps = testDeps(undefined, undefined, NOW);
    const command = createThresholdPreviewSubcommand({ answerKpi: async (_ctx, r) => history(r), decideAlert });
    const reply = await command.run({ deps, args: ["cfr", "warn", "10", "critical", "15", "for", "payments"], text: "", userId: "U1", channelId: "C1", isAdmin: false });
    expect(reply.text).toContain("*Threshold preview: Change failure rate* warn 10 %, critical 15 %");
    expect(reply.text).toContain("• Team payments: now 9.5 % (WARN) · would have fired 2 times (1 critical), breached on 60 of 90 days");
  });
});
