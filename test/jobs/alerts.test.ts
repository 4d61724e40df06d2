import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAlerts } from "../../src/alerts/actions.js";
import type { JobContext } from "../../src/jobs/digest.js";
import { ALERT_ACK_ACTION, parseAlertKeyValue } from "../../src/present/alert-blocks.js";
import { createStore } from "../../src/store/index.js";
import { openDatabase } from "../../src/store/db.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { kpiEngine } from "../../src/app/engines.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import { CONFIG_YAML, evaluation, scriptedEngine, testConfig, testDeps } from "./helpers.js";

const H = 3_600_000;
const T0 = Date.parse("2026-03-02T10:00:00Z");
const team = { kind: "team" as const, id: "payments" };
let slack: FakeSlack;

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

describe("threshold alerts", () => {
  it("alerts once per breach, reminds daily if unacknowledged, escalates, and posts the recovery in the thread", async () => {
    const db = openDatabase(":memory:");
    const engine = scriptedEngine();
    const boot = () => {
      const deps = testDeps(undefined, createStore(db));
      return { deps, ctx: { deps, slack: slack.client(), engine } satisfies JobContext };
    };
    let app = boot();
    const step = async (hours: number, value: number) => {
      engine.evaluations = [evaluation("change_failure_rate", team, value, 10, 15)];
      return runAlerts(app.ctx, T0 + hours * H);
    };

    expect(await step(0, 12)).toEqual([{ metric: "change_failure_rate", scope: "team:payments", action: "breach", posted: true }]);
    const breach = slack.callsTo("chat.postMessage")[0]!;
    expect(breach.args.channel).toBe("C0PAYMENTS");
    expect(breach.args.text).toContain("Change failure rate for team payments is in WARN: 12 % (threshold 10 %");
    const blocks = JSON.stringify(breach.args.blocks);
    expect(blocks).toContain("payments-api");
    expect(blocks).toContain("Did Friday deploys change?");
    const button = (breach.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === "actions")!.elements![0]!;
    expect(button.action_id).toBe(ALERT_ACK_ACTION);
    expect(parseAlertKeyValue(button.value)).toEqual({ metric: "change_failure_rate", scopeKind: "team", scopeId: "payments" });

    expect(await step(1, 12.5)).toEqual([]);
    app = boot(); // restart: the stored state keeps it quiet
    expect(await step(2, 13)).toEqual([]);
    expect(await step(24, 13)).toMatchObject([{ action: "remind", posted: true }]);
    const reminder = slack.callsTo("chat.postMessage")[1]!;
    expect(reminder.args.thread_ts).toBe((await app.deps.store.alerts.get("change_failure_rate", team))!.messageTs);
    expect(await step(30, 13)).toEqual([]);

    expect(await step(31, 16)).toMatchObject([{ action: "escalate", posted: true }]);
    const escalation = slack.callsTo("chat.postMessage")[2]!;
    expect(escalation.args.thread_ts).toBeUndefined();
    expect(escalation.args.text).toContain("escalated to CRITICAL");
    const escalationTs = (await app.deps.store.alerts.get("change_failure_rate", team))!.messageTs;
    expect(escalationTs).toMatch(/^\d+\.\d+$/);

    expect(await app.deps.store.alerts.acknowledge("change_failure_rate", team, "U0LEAD", T0 + 32 * H)).toBe(true);
    expect(await step(80, 16)).toEqual([]); // acknowledged: no more reminders

    // 9.5 % is under the warn line but not by the 10 % margin (1 pp): no recovery yet, just back to warn.
    expect(await step(81, 9.5)).toMatchObject([{ action: "deescalate", posted: false }]);
    expect(await step(82, 8)).toMatchObject([{ action: "recover", posted: true }]);
    const recovery = slack.callsTo("chat.postMessage")[3]!;
    expect(recovery.args.thread_ts).toBe(escalationTs);
    expect(recovery.args.reply_broadcast).toBe("true");
    expect(recovery.args.text).toContain("Recovered");
    expect(await step(83, 8)).toEqual([]);
    expect(slack.callsTo("chat.postMessage")).toHaveLength(4);

    // A new breach after the recovery alerts again.
    expect(await step(90, 11)).toMatchObject([{ action: "breach", posted: true }]);
  });

  it("posts each transition once across replicas: the claim is made before the post, from the state each read", async () => {
    const db = openDatabase(":memory:");
    const engine = scriptedEngine();
    engine.evaluations = [evaluation("change_failure_rate", team, 12, 10, 15)];
    const replica = (): JobContext => ({ deps: testDeps(undefined, createStore(db)), slack: slack.client(), engine });
    const [a, b] = [replica(), replica()];
    const both = await Promise.all([runAlerts(a, T0), runAlerts(b, T0)]);
    expect(both.flat()).toEqual([{ metric: "change_failure_rate", scope: "team:payments", action: "breach", posted: true }]);
    expect(slack.callsTo("chat.postMessage")).toHaveLength(1);

    // B read the state before A's reminder landed (an old leader finishing its run): its claim
    // fails, so the reminder goes out once and B reports nothing.
    const before = (await a.deps.store.alerts.get("change_failure_rate", team))!;
    expect(await runAlerts(a, T0 + 24 * H)).toMatchObject([{ action: "remind", posted: true }]);
    const alerts = b.deps.store.alerts;
    const stale: JobContext = { ...b, deps: { ...b.deps, store: { ...b.deps.store, alerts: { ...alerts, get: () => before } } } };
    expect(await runAlerts(stale, T0 + 24 * H)).toEqual([]);
    expect(slack.callsTo("chat.postMessage")).toHaveLength(2);
    expect(await a.deps.store.alerts.get("change_failure_rate", team)).toMatchObject({ status: "warn", lastNotifiedAtMs: T0 + 24 * H, messageTs: before.messageTs });
  });

  it("keeps state without posting for the organisation when no alerts.channel is set", async () => {
    const deps = testDeps();
    const engine = scriptedEngine();
    engine.evaluations = [evaluation("change_failure_rate", { kind: "org", id: null }, 20, 10, 15)];
    const ctx: JobContext = { deps, slack: slack.client(), engine };
    expect(await runAlerts(ctx, T0)).toEqual([{ metric: "change_failure_rate", scope: "org:", action: "breach", posted: false }]);
    expect(await runAlerts(ctx, T0 + H)).toEqual([]);
    expect(slack.calls).toHaveLength(0);
  });

  it("retries on the next evaluation when Slack fails, without recording the alert", async () => {
    const deps = testDeps();
    const engine = scriptedEngine();
    engine.evaluations = [evaluation("change_failure_rate", team, 20, 10, 15)];
    const ctx: JobContext = { deps, slack: slack.client(), engine };
    slack.failNext("chat.postMessage", { error: "internal_error" });
    expect(await runAlerts(ctx, T0)).toEqual([]);
    expect(await deps.store.alerts.get("change_failure_rate", team)).toBeUndefined();
    expect(await runAlerts(ctx, T0 + H)).toMatchObject([{ action: "breach", posted: true }]);
  });

  it("with the real engine: deployments that caused incidents breach a team's line once, and clean ones recover it", async () => {
    const config = testConfig(`${CONFIG_YAML.replace("thresholds:\n", "thresholds:\n  - { metric: change_failure_rate, team: payments, warn: 10, critical: 15 }\n")}`);
    const deps = testDeps(config);
    const ctx: JobContext = { deps, slack: slack.client(), engine: kpiEngine };
    const D = 24 * H;
    const deploy = (id: string, at: number): VitalsRecord => ({ kind: "deployment", source: "import", externalId: id, service: "payments-api", environment: "production", status: "success", finishedAtMs: at });
    const incident = (id: string, at: number): VitalsRecord => ({ kind: "incident", source: "import", externalId: id, service: "payments-api", title: `checkout errors ${id}`, createdAtMs: at });
    // 10 deployments in the 30 days before T0, the first 3 followed by an incident within the hour: 30 %.
    await deps.store.write([
      ...Array.from({ length: 10 }, (_, i) => deploy(`d${i}`, T0 - (28 - 2 * i) * D)),
      ...[0, 1, 2].map((i) => incident(`i${i}`, T0 - (28 - 2 * i) * D + H)),
    ]);
    const teamOutcome = (outcomes: Awaited<ReturnType<typeof runAlerts>>) => outcomes.filter((o) => o.scope === "team:payments");

    expect(teamOutcome(await runAlerts(ctx, T0))).toEqual([{ metric: "change_failure_rate", scope: "team:payments", action: "breach", posted: true }]);
    const breach = slack.callsTo("chat.postMessage").find((c) => c.args.channel === "C0PAYMENTS")!;
    expect(breach.args.text).toContain("Change failure rate for team payments is in CRITICAL: 30 % (threshold 15 %");
    expect(JSON.stringify(breach.args.blocks)).toContain("checkout errors");
    expect(teamOutcome(await runAlerts(ctx, T0 + H))).toEqual([]);

    // Twenty clean deployments over the next month: the last 30 days hold no failure.
    await deps.store.write(Array.from({ length: 20 }, (_, i) => deploy(`c${i}`, T0 + (3 + i) * D)));
    expect(teamOutcome(await runAlerts(ctx, T0 + 31 * D))).toMatchObject([{ action: "recover", posted: true }]);
    expect(slack.callsTo("chat.postMessage").at(-1)!.args.text).toContain("Recovered");
  });
});
