import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runDigests, postTeamDigest } from "../../src/jobs/digest.js";
import type { JobContext } from "../../src/jobs/digest.js";
import { METRIC_IDS } from "../../src/domain/metric-ids.js";
import { createStore } from "../../src/store/index.js";
import { openDatabase } from "../../src/store/db.js";
import { extractPng, startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { decodePng } from "../present/png.js";
import { kpiAnswer } from "../support/answer.js";
import { scriptedEngine, testConfig, testDeps } from "./helpers.js";

const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);
let slack: FakeSlack;
let dir: string;

beforeAll(async () => {
  slack = await startFakeSlack();
  dir = mkdtempSync(join(tmpdir(), "vitals-digest-"));
});
afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => slack.reset());

/** The app as a process: a store over the database file, deps with a clock, a job context. */
function boot(path: string) {
  const config = testConfig();
  const deps = testDeps(config, createStore(openDatabase(path)));
  const ctx: JobContext = { deps, slack: slack.client(), engine: scriptedEngine() };
  return { deps, ctx, stop: () => deps.store.close() };
}

describe("weekly digest", () => {
  it("posts one digest per team per week at its local time, across a DST change and a restart mid-week", async () => {
    const path = join(dir, "weeks.db");
    let app = boot(path);
    const posted: { team: string; atIso: string; week: string }[] = [];
    const tick = async (nowMs: number) => {
      app.deps.setNow(nowMs);
      for (const o of await runDigests(app.ctx, nowMs)) if (o.result === "posted") posted.push({ team: o.team, atIso: new Date(nowMs).toISOString(), week: o.week });
    };
    // Five weeks in 15-minute ticks. Berlin leaves CET on 29 March, New York leaves EST on 8 March.
    // The app is down from Sunday 29 March 20:00 UTC to Monday 30 March 10:00 UTC, across Berlin's
    // digest time (07:00 UTC that day): the missed digest goes out once, on start-up.
    for (let t = at("2026-03-02T06:00:00Z"); t < at("2026-04-08T00:00:00Z"); t += 15 * MIN) {
      if (t >= at("2026-03-29T20:00:00Z") && t < at("2026-03-30T10:00:00Z")) {
        if (t === at("2026-03-29T20:00:00Z")) await app.stop();
        continue;
      }
      if (t === at("2026-03-30T10:00:00Z")) app = boot(path);
      await tick(t);
      // A double run at the same instant (two ticks, or two processes) posts nothing more.
      if (posted.length > 0 && posted.at(-1)!.atIso === new Date(t).toISOString()) {
        const again = await runDigests(app.ctx, t);
        expect(again.every((o) => o.result !== "posted")).toBe(true);
      }
    }
    await app.stop();

    expect(posted.filter((p) => p.team === "payments").map((p) => p.atIso)).toEqual([
      "2026-03-02T08:00:00.000Z",
      "2026-03-09T08:00:00.000Z",
      "2026-03-16T08:00:00.000Z",
      "2026-03-23T08:00:00.000Z",
      "2026-03-30T10:00:00.000Z", // missed at 07:00 UTC (09:00 CEST) while down: posted on start-up
      "2026-04-06T07:00:00.000Z", // 09:00 CEST
    ]);
    expect(posted.filter((p) => p.team === "growth").map((p) => p.atIso)).toEqual([
      "2026-03-03T15:30:00.000Z", // Tuesday 10:30 EST
      "2026-03-10T14:30:00.000Z", // 10:30 EDT
      "2026-03-17T14:30:00.000Z",
      "2026-03-24T14:30:00.000Z",
      "2026-03-31T14:30:00.000Z",
      "2026-04-07T14:30:00.000Z",
    ]);

    const messages = slack.callsTo("chat.postMessage");
    expect(messages).toHaveLength(12);
    expect(new Set(messages.map((m) => m.args.channel))).toEqual(new Set(["C0PAYMENTS", "C0GROWTH1"]));
    // Each digest's chart: upload URL, bytes, completion in the digest's thread.
    expect(slack.callsTo("files.getUploadURLExternal")).toHaveLength(12);
    expect(slack.uploads).toHaveLength(12);
    const completions = slack.callsTo("files.completeUploadExternal");
    expect(completions).toHaveLength(12);
    expect(completions[0]!.args.channel_id).toBe("C0PAYMENTS");
    expect(typeof completions[0]!.args.thread_ts).toBe("string");
    const png = decodePng(extractPng(slack.uploads[0]!.bytes)!);
    expect(png.width).toBeGreaterThan(1000);
  }, 60_000);

  it("reports the team's KPIs over the week before the digest day, with the chart", async () => {
    const deps = testDeps();
    const engine = scriptedEngine();
    const ctx: JobContext = { deps, slack: slack.client(), engine };
    const outcome = await postTeamDigest(ctx, deps.config.teams[0]!, at("2026-03-02T08:00:00Z"));
    expect(outcome).toMatchObject({ result: "posted", team: "payments", week: "2026-03-02", channel: "C0PAYMENTS" });
    expect(engine.requests.map((r) => r.metric)).toEqual([...METRIC_IDS]);
    expect(engine.requests[0]).toMatchObject({
      scope: { kind: "team", id: "payments" },
      window: { fromMs: at("2026-02-22T23:00:00Z"), toMs: at("2026-03-01T23:00:00Z") },
    });
    const message = slack.callsTo("chat.postMessage")[0]!;
    expect(message.args.text).toBe("Weekly digest: Payments, 23 Feb–1 Mar 2026");
    expect(JSON.stringify(message.args.blocks)).toContain("Biggest mover");
    expect(await deps.store.digests.get("payments", "2026-03-02")).toMatchObject({ channel: "C0PAYMENTS", ts: expect.any(String) });
  });

  it("does not post a team's first digest as a weekly digest when it has no data yet", async () => {
    const deps = testDeps();
    const empty = scriptedEngine((r) => kpiAnswer(r.metric, { value: null, sample_size: 0, previous: { window: { from: "", to: "" }, value: null, sample_size: 0 }, series: [], change: { absolute: null, percent: null, significant: null, p_value: null, test: null } }));
    const ctx: JobContext = { deps, slack: slack.client(), engine: empty };
    const outcome = await postTeamDigest(ctx, deps.config.teams[0]!, at("2026-03-02T08:00:00Z"));
    expect(outcome).toMatchObject({ result: "no_data", team: "payments", week: "2026-03-02" });
    expect(slack.callsTo("chat.postMessage")).toHaveLength(0);
    // The week stays open: once data arrives, that week's digest still goes out.
    expect(await deps.store.digests.get("payments", "2026-03-02")).toBeUndefined();
  });

  it("gives the week back when posting fails, so the next tick retries", async () => {
    const deps = testDeps();
    const ctx: JobContext = { deps, slack: slack.client(), engine: scriptedEngine() };
    slack.failNext("chat.postMessage", { error: "channel_not_found" });
    const first = await runDigests(ctx, at("2026-03-02T08:00:00Z"));
    expect(first.find((o) => o.team === "payments")).toBeUndefined();
    expect(await deps.store.digests.get("payments", "2026-03-02")).toBeUndefined();
    const second = await runDigests(ctx, at("2026-03-02T08:01:00Z"));
    expect(second.find((o) => o.team === "payments")).toMatchObject({ result: "posted" });
  });

  it("waits retry_after and retries when Slack rate-limits the post", async () => {
    const deps = testDeps();
    const waits: number[] = [];
    const ctx: JobContext = { deps, slack: slack.client(), engine: scriptedEngine(), sleep: async (ms) => void waits.push(ms) };
    slack.failNext("chat.postMessage", { status: 429, retryAfter: 7 });
    const outcome = await postTeamDigest(ctx, deps.config.teams[0]!, at("2026-03-02T08:00:00Z"));
    expect(outcome.result).toBe("posted");
    expect(waits).toEqual([7000]);
    expect(slack.callsTo("chat.postMessage")).toHaveLength(2);
  });
});
