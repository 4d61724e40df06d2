import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env.js";
import { storeOptionsFrom } from "../../src/config/store-options.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import { ingestRoute, INGEST_PATH } from "../../src/http/ingest.js";
import { REMIND_AFTER_HOURS, runLinkConfirmations } from "../../src/confirmations/actions.js";
import { silentLogger } from "../../src/log.js";
import { startApp, type RunningApp } from "../../src/app/start.js";
import { buildDeps } from "../../src/app/root.js";
import { CONFIRM_ACTIONS, CONFIRM_VIEW, PICKER_ACTION, PICKER_BLOCK } from "../../src/present/confirmation-blocks.js";
import { questionEngine } from "../../src/app/engines.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore, type SqliteStore } from "../../src/store/index.js";
import { startFakeSlack, type FakeSlack, type RecordedCall } from "../fakes/slack/server.js";
import { buttonClickBody, postSigned, slashCommandBody } from "../fakes/slack/signed.js";
import { ask, DAY, HOUR, NOW, testConfig } from "../metrics/factories.js";
import { scriptedEngine } from "../jobs/helpers.js";
import type { AppDeps } from "../../src/app-deps.js";

// Incident attribution people can trust (issue 16), end to end: the real app on 127.0.0.1:0 with a
// fake Slack, records through the ingest API, signed slash commands and button clicks.
// - `/kpi link <incident> unrelated` and `change_caused: false`: the incident leaves change
//   failure rate and stays in MTTR, also after a re-import and a re-sync.
// - The confirmation message goes to the incident's owner once (one reminder at most), and each
//   of its three buttons writes the right link; the CFR answer's confirmed count follows.

const SECRET = "0123456789abcdef0123456789abcdef";
const TOKEN = "ingest-token-0123456789";
const ADMIN = "U0ADMIN";
const OWNER = "U0OWNER";
const D = NOW - 6 * DAY; // every incident falls in the 7 days before NOW (and in the last 30 days)

interface Harness {
  slack: FakeSlack;
  app: RunningApp;
  deps: AppDeps & { setNow(ms: number): void };
  store: SqliteStore;
  events: string;
  ingest(records: readonly Record<string, unknown>[]): Promise<number>;
  kpi(text: string, userId?: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

async function startHarness(): Promise<Harness> {
  const slack = await startFakeSlack();
  slack.addUser({ id: OWNER, email: "owner@example.com" });
  const config = testConfig();
  const env = parseEnv({ SLACK_BOT_TOKEN: "xoxb-1-2-test", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, VITALS_ADMINS: ADMIN, VITALS_INGEST_TOKEN: TOKEN, DATABASE_PATH: ":memory:" });
  const store = createStore(openDatabase(":memory:"), storeOptionsFrom(config));
  let now = NOW;
  const base = buildDeps(env, { config, store, logger: silentLogger(), now: () => now });
  const deps = Object.assign(Object.create(base) as AppDeps, { setNow: (ms: number) => void (now = ms) }) as AppDeps & { setNow(ms: number): void };
  const app = await startApp(base, { engine: questionEngine, routes: [ingestRoute(base)], port: 0, host: "127.0.0.1", processBeforeResponse: true, retries: 0 });
  const root = `http://127.0.0.1:${app.port}`;
  return {
    slack, app, deps, store, events: `${root}/slack/events`,
    async ingest(records) {
      const response = await fetch(`${root}${INGEST_PATH}`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(records) });
      return response.status;
    },
    async kpi(text, userId = ADMIN) {
      const responseUrl = slack.responseUrl();
      await postSigned({ url: `${root}/slack/events`, secret: SECRET, body: slashCommandBody({ text, userId, responseUrl }) });
      return slack.responseTo(responseUrl);
    },
    async close() {
      await app.stop();
      await slack.close();
      store.close();
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const deploymentInput = (id: string, at: number) => ({ kind: "deployment", id, service: "checkout", status: "success", finished_at: iso(at) });
const incidentInput = (id: string, created: number, hours: number, extra: Record<string, unknown> = {}) => ({
  kind: "incident", id, service: "checkout", title: `Incident ${id}`, created_at: iso(created), resolved_at: iso(created + hours * HOUR), owner_email: "owner@example.com", ...extra,
});

const cfr = (h: Harness) => ask(h.store, "change_failure_rate");
const mttr = (h: Harness) => ask(h.store, "mttr");
const linkOf = (h: Harness, externalId: string) =>
  h.store.db.prepare(`SELECT d.external_id AS deployment, i.link_rule AS rule, i.verdict, i.verdict_by AS by, i.verdict_at AS at, i.verdict_via AS via
    FROM incidents i LEFT JOIN deployments d ON d.id = i.linked_deployment_id WHERE i.external_id = ?`).get(externalId);

describe("not caused by a deployment", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  const records = [
    deploymentInput("d1", D + DAY), deploymentInput("d2", D + 2 * DAY), deploymentInput("d3", D + 3 * DAY),
    incidentInput("INC-1", D + DAY + HOUR, 2),
    incidentInput("INC-2", D + 2 * DAY + HOUR, 4),
    incidentInput("INC-3", D + 3 * DAY + HOUR, 6, { change_caused: false }),
  ];

  it("change_caused: false from the ingest API never marks a deployment failed and still counts for MTTR", async () => {
    expect(await h.ingest(records)).toBe(200);
    expect(linkOf(h, "INC-3")).toMatchObject({ deployment: null, rule: null });
    expect((await cfr(h)).stats).toMatchObject({ count: 3, failed: 2, incidents_not_change_caused: 1 });
    expect((await mttr(h)).sample_size).toBe(3);
    expect((await mttr(h)).value).toBe(4); // (2 + 4 + 6) / 3
  });

  it("/kpi link <incident> unrelated removes it from CFR, keeps it in MTTR, and says who and when", async () => {
    const reply = await h.kpi("link INC-1 unrelated");
    expect(String(reply.text)).toContain("is marked *not caused by a deployment*");
    expect(linkOf(h, "INC-1")).toEqual({ deployment: null, rule: null, verdict: "unrelated", by: ADMIN, at: NOW, via: "command" });
    expect((await cfr(h)).stats).toMatchObject({ failed: 1, incidents_not_change_caused: 2 });
    expect((await cfr(h)).value).toBeCloseTo(100 / 3, 2);
    expect((await mttr(h)).sample_size).toBe(3);
    const config = JSON.stringify((await h.kpi("config")).blocks);
    expect(config).toContain("Incident links set by people (1)");
    expect(config).toContain("`INC-1` Incident INC-1: not caused by a deployment _(<@U0ADMIN> ");
  });

  it("a re-import (even of a changed record) and a re-sync do not undo it", async () => {
    // The same file again, INC-1 re-reported with a later resolution and a deployment id naming d1.
    const changed = records.map((r) => (r.id === "INC-1" ? { ...r, resolved_at: iso(D + DAY + 3 * HOUR), deployment_id: "d1" } : r));
    expect(await h.ingest(changed)).toBe(200);
    expect(linkOf(h, "INC-1")).toMatchObject({ deployment: null, verdict: "unrelated" });
    // A PagerDuty incident marked unrelated, then synced again with new data (the sync writes through store.write).
    const pd = (title: string): VitalsRecord => ({ kind: "incident", source: "pagerduty", externalId: "Q1PD", service: "checkout", title, urgency: "high", createdAtMs: D + 2 * DAY + 2 * HOUR, resolvedAtMs: D + 2 * DAY + 3 * HOUR });
    await h.store.write([pd("5xx spike")]);
    expect(linkOf(h, "Q1PD")).toMatchObject({ deployment: "d2", rule: "heuristic" });
    await h.kpi("link Q1PD unrelated");
    await h.store.write([pd("5xx spike (resolved)")]);
    expect(linkOf(h, "Q1PD")).toMatchObject({ deployment: null, verdict: "unrelated" });
    expect((await cfr(h)).stats).toMatchObject({ failed: 1 }); // INC-2 still marks d2
    expect((await mttr(h)).sample_size).toBe(4);
    // `none` hands it back to the rules.
    await h.kpi("link Q1PD none");
    expect(linkOf(h, "Q1PD")).toMatchObject({ deployment: "d2", rule: "heuristic", verdict: null });
  });
});

describe("links confirmed by people", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    expect(
      await h.ingest([
        deploymentInput("d0", D), deploymentInput("d1", D + DAY), deploymentInput("d2", D + 2 * DAY), deploymentInput("d3", D + 3 * DAY), deploymentInput("d4", D + 4 * DAY),
        incidentInput("INC-1", D + DAY + HOUR, 1), incidentInput("INC-2", D + 2 * DAY + HOUR, 2), incidentInput("INC-3", D + 3 * DAY + HOUR, 3),
        incidentInput("INC-5", D + 4 * DAY + HOUR, 4),
        // No owner: nobody to ask. Named explicitly: nothing to confirm.
        { ...incidentInput("INC-6", D + 4 * DAY + 2 * HOUR, 1), owner_email: undefined },
        incidentInput("INC-7", D + 4 * DAY + 3 * HOUR, 1, { deployment_id: "d4" }),
      ]),
    ).toBe(200);
  });
  afterAll(async () => h.close());

  const ctx = () => ({ deps: h.deps, slack: h.slack.client(), engine: scriptedEngine() });
  const asked = new Map<string, RecordedCall>();
  const messageFor = (title: string) => asked.get(title)!;
  /** Where the message went, as the job stored it from Slack's answer. */
  const postedTs = (call: RecordedCall) => h.store.confirmations.get((JSON.parse(valueOf(call, CONFIRM_ACTIONS.yes)) as { i: number }).i)!.ts!;
  const valueOf = (call: RecordedCall, actionId: string) => {
    const actions = (call.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === "actions")!;
    return actions.elements!.find((e) => e.action_id === actionId)!.value;
  };
  const click = async (title: string, actionId: string) => {
    const call = messageFor(title);
    const stamp = postedTs(call);
    const response = await postSigned({
      url: h.events, secret: SECRET,
      body: buttonClickBody({ actionId, value: valueOf(call, actionId), userId: OWNER, channelId: `D${OWNER.slice(1)}`, messageTs: stamp, responseUrl: h.slack.responseUrl(), blockId: "link_confirm" }),
    });
    expect(response.status).toBe(200);
    return stamp;
  };

  it("sends the owner one message per heuristic link that counts, once", async () => {
    const outcomes = await runLinkConfirmations(ctx(), NOW);
    expect(outcomes.map((o) => o.channel)).toEqual(["D0OWNER", "D0OWNER", "D0OWNER", "D0OWNER"]);
    const posts = h.slack.callsTo("chat.postMessage");
    expect(posts).toHaveLength(4); // INC-6 has no owner; INC-7 names its deployment
    for (const post of posts) {
      expect(post.args.channel).toBe(OWNER);
      asked.set(String(post.args.text).replace(/^Was (.+) caused by .*$/, "$1"), post);
    }
    expect(String(messageFor("Incident INC-2").args.text)).toBe("Was Incident INC-2 caused by deployment d2 of checkout?");
    const buttons = (messageFor("Incident INC-2").args.blocks as { type: string; elements?: { text: { text: string } }[] }[]).find((b) => b.type === "actions")!.elements!.map((e) => e.text.text);
    expect(buttons).toEqual(["Yes", "Another deployment…", "Not a deployment"]);
    // A second run (and a re-import) asks nothing again.
    expect(await runLinkConfirmations(ctx(), NOW + HOUR)).toEqual([]);
    expect(h.slack.callsTo("chat.postMessage")).toHaveLength(4);
    expect((await cfr(h)).stats).toMatchObject({ count: 5, failed: 4, confirmed: 0 });
  });

  it("Yes confirms the deployment asked about, with who and when", async () => {
    h.deps.setNow(NOW + 2 * HOUR);
    const stamp = await click("Incident INC-1", CONFIRM_ACTIONS.yes);
    expect(linkOf(h, "INC-1")).toEqual({ deployment: "d1", rule: "manual", verdict: "deployment", by: OWNER, at: NOW + 2 * HOUR, via: "confirmation" });
    const update = h.slack.callsTo("chat.update").at(-1)!;
    expect(update.args).toMatchObject({ channel: "D0OWNER", ts: stamp });
    expect(String(update.args.text)).toContain("was caused by deployment *d1*");
    expect((await cfr(h)).stats).toMatchObject({ failed: 4, confirmed: 1 });
    // A second click on the same message writes nothing.
    await click("Incident INC-1", CONFIRM_ACTIONS.unrelated);
    expect(linkOf(h, "INC-1")).toMatchObject({ verdict: "deployment", deployment: "d1" });
    expect(String(h.slack.callsTo("chat.postMessage").at(-1)!.args.text)).toBe(`Already answered by <@${OWNER}>.`);
  });

  it("Another deployment… opens a picker of the service's earlier deployments and links the one picked", async () => {
    const stamp = await click("Incident INC-2", CONFIRM_ACTIONS.other);
    const view = h.slack.callsTo("views.open").at(-1)!.args.view as { callback_id: string; private_metadata: string; blocks: { type: string; element?: { options: { value: string; text: { text: string } }[] } }[] };
    expect(view.callback_id).toBe(CONFIRM_VIEW);
    const options = view.blocks.find((b) => b.type === "input")!.element!.options;
    expect(options.map((o) => o.text.text.split(" · ")[0])).toEqual(["d2", "d1", "d0"]); // before the incident, newest first
    const d0 = options.find((o) => o.text.text.startsWith("d0"))!.value;
    const submit = (value: string | null) =>
      postSigned({
        url: h.events, secret: SECRET,
        body: new URLSearchParams({ payload: JSON.stringify({
          type: "view_submission", team: { id: "T0TEST", domain: "vitals-test" }, user: { id: OWNER, username: "owner", name: "owner", team_id: "T0TEST" },
          api_app_id: "A0VITALS", token: "legacy", trigger_id: "1.2.3",
          view: { id: "V1", team_id: "T0TEST", type: "modal", callback_id: CONFIRM_VIEW, private_metadata: view.private_metadata, hash: "h", title: { type: "plain_text", text: "x" }, blocks: [], app_id: "A0VITALS", bot_id: "B0BOT",
            state: { values: { [PICKER_BLOCK]: { [PICKER_ACTION]: { type: "static_select", selected_option: value === null ? null : { text: { type: "plain_text", text: "d" }, value } } } } } },
        }) }).toString(),
      });
    const refused = await submit(null);
    expect(JSON.parse(refused.text)).toEqual({ response_action: "errors", errors: { [PICKER_BLOCK]: "Pick the deployment that caused the incident." } });
    expect((await submit(d0)).status).toBe(200);
    expect(linkOf(h, "INC-2")).toMatchObject({ deployment: "d0", rule: "manual", verdict: "deployment", by: OWNER, via: "confirmation" });
    expect(h.slack.callsTo("chat.update").at(-1)!.args).toMatchObject({ ts: stamp });
    // d2 lost its only failure, d0 gained one: still four failed deployments, two confirmed.
    expect((await cfr(h)).stats).toMatchObject({ failed: 4, confirmed: 2 });
  });

  it("Not a deployment records it as unrelated: it leaves CFR and stays in MTTR", async () => {
    await click("Incident INC-3", CONFIRM_ACTIONS.unrelated);
    expect(linkOf(h, "INC-3")).toMatchObject({ deployment: null, rule: null, verdict: "unrelated", by: OWNER, via: "confirmation" });
    const answer = await cfr(h);
    expect(answer.stats).toMatchObject({ failed: 3, confirmed: 2, failed_by_explicit: 1, failed_by_rollback: 0, failed_by_window: 0 });
    expect(answer.value).toBe(60); // d0 (INC-2, confirmed), d1 (INC-1, confirmed), d4 (INC-7 names it; INC-5, INC-6 by the window)
    expect(answer.definition).toContain("3 of 5 production deployments in last 30 days caused a failure, 2 confirmed by people");
    expect((await mttr(h)).sample_size).toBe(6);
  });

  it("reminds once about an unanswered message, in its thread, and never again", async () => {
    expect(await runLinkConfirmations(ctx(), NOW + (REMIND_AFTER_HOURS - 1) * HOUR)).toEqual([]);
    const reminders = await runLinkConfirmations(ctx(), NOW + (REMIND_AFTER_HOURS + 1) * HOUR);
    expect(reminders).toEqual([{ incidentId: expect.any(Number), kind: "reminder", channel: "D0OWNER" }]);
    const reminder = h.slack.callsTo("chat.postMessage").at(-1)!;
    expect(String(reminder.args.text)).toBe("Reminder: Was Incident INC-5 caused by deployment d4 of checkout?");
    expect(reminder.args).toMatchObject({ channel: "D0OWNER", thread_ts: postedTs(messageFor("Incident INC-5")) });
    expect(await runLinkConfirmations(ctx(), NOW + 10 * DAY)).toEqual([]);
  });
});
