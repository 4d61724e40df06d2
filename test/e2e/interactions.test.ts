import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../src/present/blocks/limits.js";
import { eventBody, homeSelectBody, postSigned } from "../fakes/slack/signed.js";
import { ADMIN, blocksText, SIGNING_SECRET, freshAppForEachTest, type TestApp } from "./harness.js";
import { breakStore, TEST_ENGINE } from "../support/test-store.js";

let t: TestApp;
freshAppForEachTest((app) => (t = app));

const question = "cfr last 30 days for team payments";

describe("answer buttons", () => {
  it("Share in channel posts the answer for everyone and deletes the private copy", async () => {
    const { status, responses } = await t.click({ actionId: "kpi:share", value: question, ephemeral: true });
    expect(status).toBe(200);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatchObject({ response_type: "in_channel", replace_original: false, text: expect.stringMatching(/^Change failure rate for team payments, last 30 days: /) });
    expect(blocksText(responses[0])).toContain("shared by <@U0ASKER>");
    expect(responses[1]).toEqual({ delete_original: true });
  });

  it("Show drivers replies in the answer's thread when the answer is in the channel", async () => {
    const before = t.slack.callsTo("chat.postMessage").length;
    const { responses } = await t.click({ actionId: "kpi:drivers", value: question, messageTs: "1700000123.000200", channelId: "C0PAYMENTS1" });
    expect(responses).toEqual([]);
    const posted = t.slack.callsTo("chat.postMessage").slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.args).toMatchObject({ channel: "C0PAYMENTS1", thread_ts: "1700000123.000200", text: "Drivers of Change failure rate for team payments, last 30 days" });
    expect(blockKitProblems(posted[0]!.args.blocks as never)).toEqual([]);
  });

  it("Show drivers answers privately under a private answer", async () => {
    const { responses } = await t.click({ actionId: "kpi:drivers", value: question, ephemeral: true });
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ response_type: "ephemeral", replace_original: false, text: "Drivers of Change failure rate for team payments, last 30 days" });
  });

  it("Explain shows the definition in force, privately", async () => {
    const { responses } = await t.click({ actionId: "kpi:explain", value: "change_failure_rate", ephemeral: true });
    expect(responses[0]).toMatchObject({ response_type: "ephemeral", replace_original: false, text: expect.stringMatching(/^Change failure rate: /) });
  });

  it("Details on a summary line answers that metric", async () => {
    const { responses } = await t.click({ actionId: "kpi:details:lead_time", value: "lead_time last 30 days for team payments", ephemeral: true, blockId: "b1" });
    expect(responses[0]!.text).toMatch(/^Lead time for changes for team payments, last 30 days: /);
  });
});

describe("App Home", () => {
  it("publishes the dashboard when the Home tab opens", async () => {
    const body = eventBody({ type: "app_home_opened", user: "U0VIEWER", channel: "D0VIEWER", tab: "home", event_ts: "1700000000.1" });
    const response = await postSigned({ url: t.eventsUrl, secret: SIGNING_SECRET, body, contentType: "application/json" });
    expect(response.status).toBe(200);
    const publish = t.slack.callsTo("views.publish").at(-1)!;
    expect(publish.args.user_id).toBe("U0VIEWER");
    const view = publish.args.view as { type: string; blocks: { type: string }[] };
    expect(view.type).toBe("home");
    expect(JSON.stringify(view.blocks)).toContain("Vitals · Whole organisation");
    expect(JSON.stringify(view.blocks)).toContain("*Mean time to recovery*");
    expect(blockKitProblems(view.blocks, "home")).toEqual([]);
  });

  it("the team picker switches the dashboard and is remembered", async () => {
    const response = await postSigned({ url: t.eventsUrl, secret: SIGNING_SECRET, body: homeSelectBody({ actionId: "home:team", value: "platform", userId: "U0VIEWER" }) });
    expect(response.status).toBe(200);
    const view = t.slack.callsTo("views.publish").at(-1)!.args.view as { blocks: unknown[] };
    expect(JSON.stringify(view.blocks)).toContain("Vitals · Platform");
    expect(await t.deps.store.slack.homeTeam("U0VIEWER")).toBe("platform");
  });

  it("/kpi sync refreshes the Home of recent viewers", async () => {
    const opened = eventBody({ type: "app_home_opened", user: "U0VIEWER", channel: "D0VIEWER", tab: "home", event_ts: "1700000000.1" });
    await postSigned({ url: t.eventsUrl, secret: SIGNING_SECRET, body: opened, contentType: "application/json" });
    await postSigned({ url: t.eventsUrl, secret: SIGNING_SECRET, body: homeSelectBody({ actionId: "home:team", value: "platform", userId: "U0VIEWER" }) });
    const before = t.slack.callsTo("views.publish").length;
    const reply = (await t.kpi("sync", { userId: ADMIN })).responses[0]!;
    expect(reply.response_type).toBe("ephemeral");
    const refreshed = t.slack.callsTo("views.publish").slice(before);
    expect(refreshed.map((c) => c.args.user_id)).toEqual(["U0VIEWER"]);
    expect(JSON.stringify(refreshed[0]!.args.view)).toContain("Vitals · Platform");
  });
});

describe("buttons of the jobs' messages, through the same app", () => {
  it("Acknowledge on a threshold alert records who acknowledged and updates the alert message", async () => {
    await t.deps.store.alerts.put({
      metric: "change_failure_rate",
      scope: { kind: "service", id: "checkout" },
      status: "critical",
      sinceMs: 0,
      value: 17.5,
      threshold: 12,
      channel: "C0PAYMENTS1",
      messageTs: "1700000999.000100",
      acknowledgedBy: null,
      acknowledgedAtMs: null,
      lastNotifiedAtMs: 0,
    });
    const before = t.slack.callsTo("chat.update").length;
    const value = JSON.stringify({ m: "change_failure_rate", k: "service", i: "checkout" });
    const { status } = await t.click({ actionId: "alert:ack", value, messageTs: "1700000999.000100", channelId: "C0PAYMENTS1", userId: "U0ONCALL", blockId: "alert" });
    expect(status).toBe(200);
    expect((await t.deps.store.alerts.get("change_failure_rate", { kind: "service", id: "checkout" }))?.acknowledgedBy).toBe("U0ONCALL");
    expect(t.slack.callsTo("chat.update").slice(before).map((c) => [c.args.channel, c.args.ts])).toEqual([["C0PAYMENTS1", "1700000999.000100"]]);
  });
});

describe("failures", () => {
  it("an internal error answers an apology with an error id that is in the log, and /healthz turns 503", async () => {
    // The test's own app (the afterEach closes it again): PGlite serves one store at a time.
    await breakStore(t.deps.store);
    const reply = (await t.kpi("mttr")).responses[0]!;
    const match = /error id (\w{8})/.exec(String(reply.text));
    expect(match).not.toBeNull();
    expect(blocksText(reply)).not.toMatch(/\.ts:\d+|TypeError|database connection/);
    const logged = t.logs.map((l) => JSON.parse(l) as { errorId?: string; msg: string }).find((l) => l.errorId === match![1]);
    expect(logged?.msg).toBe("Slack request failed");
    const health = await fetch(`${t.baseUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "unavailable", database: "unreachable", slack: "connected", store: TEST_ENGINE, leader: true, syncs: [] });
  });
});
