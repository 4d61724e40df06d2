import { afterEach, beforeAll, afterAll, describe, expect, it, vi } from "vitest";
import { jobRunners, startScheduler } from "../../src/jobs/scheduler.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { createStore, type SqliteStore } from "../../src/store/index.js";
import { openDatabase } from "../../src/store/db.js";
import { evaluation, scriptedEngine, testDeps, type ScriptedEngine } from "./helpers.js";
import type { SyncSource } from "../../src/sources/types.js";
import { parseSimulatedClock, simulatedNow } from "../../src/jobs/simulated-clock.js";

// The node-cron wiring under fake timers: Date and timers are faked, setImmediate is not, so the
// fake Slack server's real HTTP still completes while the test moves the clock.

let slack: FakeSlack;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());
afterEach(async () => {
  await stop?.();
  stop = undefined;
  vi.useRealTimers();
  slack.reset();
});

/**
 * Let pending real I/O (HTTP round trips, the chart's wasm and font loading) finish: until the
 * condition holds (at most 15 s of real time), or a few event-loop turns when there is none.
 */
async function settle(until?: () => boolean): Promise<void> {
  const deadline = performance.now() + 15_000;
  for (let i = 0; until ? !until() && performance.now() < deadline : i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function advanceMinutes(minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
  }
}

function boot(engine: ScriptedEngine = scriptedEngine(), store?: SqliteStore) {
  const deps = testDeps(undefined, store, Date.now());
  const deps2 = { ...deps, now: () => Date.now() };
  const handle = startScheduler(deps2, slack.client(), { engine });
  stop = handle;
  return { deps: deps2, handle, engine };
}

describe("scheduler", () => {
  it("posts the weekly digest when its minute comes, once, and again the next week", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-03-02T07:57:30Z")); // Monday 08:57:30 in Berlin
    const { handle } = boot();
    await handle.ready;
    const digests = () => slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "C0PAYMENTS");
    expect(digests()).toHaveLength(0);

    await advanceMinutes(3);
    await settle(() => slack.callsTo("files.completeUploadExternal").length > 0);
    expect(digests()).toHaveLength(1);
    expect(slack.callsTo("files.completeUploadExternal")).toHaveLength(1);

    await advanceMinutes(60);
    expect(digests()).toHaveLength(1);

    // Jump to just before next Monday 09:00 Berlin, then tick through it.
    vi.setSystemTime(new Date("2026-03-09T07:58:00Z"));
    await advanceMinutes(4);
    await settle(() => slack.callsTo("files.completeUploadExternal").length > 1);
    expect(digests()).toHaveLength(2);
  });

  it("follows the team's zone across the DST change: 09:00 Berlin is 07:00 UTC from 29 March", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-03-30T06:58:00Z"));
    const { handle } = boot();
    await handle.ready;
    const digests = () => slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "C0PAYMENTS");
    await advanceMinutes(1);
    expect(digests()).toHaveLength(0); // 08:59 CEST
    await advanceMinutes(1);
    await settle(() => slack.callsTo("files.completeUploadExternal").length > 0);
    expect(digests()).toHaveLength(1); // 09:00 CEST
  });

  it("does not post the week's digest again after a restart", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-03-02T07:59:30Z"));
    const store = createStore(openDatabase(":memory:"));
    const first = boot(scriptedEngine(), store);
    await first.handle.ready;
    await advanceMinutes(1);
    await settle(() => slack.callsTo("files.completeUploadExternal").length > 0);
    const digests = () => slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "C0PAYMENTS");
    expect(digests()).toHaveLength(1);
    await first.handle();

    vi.setSystemTime(new Date("2026-03-02T09:00:00Z"));
    const second = boot(scriptedEngine(), store);
    await second.handle.ready;
    await advanceMinutes(10);
    expect(digests()).toHaveLength(1);
  });

  it("evaluates alerts every alerts.evaluate_every_minutes and survives a failing run", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-03-03T12:00:00Z"));
    const engine = scriptedEngine();
    let calls = 0;
    engine.evaluateThresholds = async () => {
      calls++;
      if (calls === 1) throw new Error("database is locked");
      return [];
    };
    const { handle } = boot(engine);
    await handle.ready;
    expect(calls).toBe(1); // at start-up (and it failed)
    await advanceMinutes(59);
    expect(calls).toBe(1);
    await advanceMinutes(1);
    expect(calls).toBe(2); // an hour later, the job runs again
    await advanceMinutes(60);
    expect(calls).toBe(3);
  });

  it("evaluates alerts once at start-up, even when a minute's tick comes while the start-up digests run", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-03-02T08:00:50Z")); // Monday 09:00 in Berlin passed: the week's digest is due
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const engine = scriptedEngine();
    const answer = engine.answerKpi.bind(engine);
    engine.answerKpi = async (ctx, request) => {
      await held;
      return answer(ctx, request);
    };
    let calls = 0;
    engine.evaluateThresholds = () => {
      calls++;
      return Promise.resolve([]);
    };
    const { handle } = boot(engine);
    await settle(() => engine.requests.length > 0 || calls > 0);
    await vi.advanceTimersByTimeAsync(30_000); // 08:01:20: the minute's tick has come and gone
    await settle();
    expect(calls).toBe(0);
    release();
    await handle.ready;
    expect(calls).toBe(1);
    await advanceMinutes(5);
    expect(calls).toBe(1);
  });

  it("stops every task when the stop function is called", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-03-03T12:00:00Z"));
    const engine = scriptedEngine();
    let calls = 0;
    engine.evaluateThresholds = async () => {
      calls++;
      return [];
    };
    const { handle } = boot(engine);
    await handle.ready;
    await handle();
    stop = undefined;
    await advanceMinutes(180);
    expect(calls).toBe(1);
  });

  it("ticks every tickMs on a simulated clock: an hour per 200 ms tick evaluates the alerts at each tick", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-12-01T16:00:00Z"));
    const clock = parseSimulatedClock({ from: "2026-03-03T12:00:00Z", step: "1h", tickMs: "200" }, Date.now())!;
    const engine = scriptedEngine();
    const seen: string[] = [];
    engine.evaluateThresholds = async (ctx) => {
      seen.push(new Date(ctx.nowMs).toISOString());
      return [];
    };
    const deps = { ...testDeps(undefined, undefined, Date.now()), now: () => simulatedNow(clock, Date.now()) };
    const handle = startScheduler(deps, slack.client(), { engine, tickMs: clock.tickMs });
    stop = handle;
    await handle.ready;
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(200);
      await settle();
    }
    expect(seen).toEqual(["2026-03-03T12:00:00.000Z", "2026-03-03T13:00:00.000Z", "2026-03-03T14:00:00.000Z", "2026-03-03T15:00:00.000Z"]);
    await handle();
    stop = undefined;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(seen).toHaveLength(4);
  });
});

describe("job runners", () => {
  it("never run one job twice at once: a breach seen by a scheduled and an after-sync run is posted once", async () => {
    const engine = scriptedEngine();
    engine.evaluations = [evaluation("change_failure_rate", { kind: "team", id: "payments" }, 20, 10, 15)];
    const deps = testDeps(undefined, undefined, Date.parse("2026-03-02T07:00:00Z"));
    const runners = jobRunners(deps, slack.client(), { engine });
    await Promise.all([runners.alerts(), runners.afterSync(), runners.alertsIfDue()]);
    expect(slack.callsTo("chat.postMessage")).toHaveLength(1);
  });

  it("run nothing on a replica that does not lead: no job, no sync, not even at start-up", async () => {
    const engine = scriptedEngine();
    engine.evaluations = [evaluation("change_failure_rate", { kind: "team", id: "payments" }, 20, 10, 15)];
    let leading = false;
    let synced = 0;
    const source: SyncSource = {
      name: "github",
      configured: () => true,
      sync: async () => {
        synced++;
        return { source: "github", fetched: 0, inserted: 0, updated: 0, unchanged: 0, notes: [], failures: [] };
      },
    };
    const deps = testDeps(undefined, undefined, Date.parse("2026-03-02T08:00:00Z"));
    const handle = startScheduler(deps, slack.client(), { engine, syncSources: [source], leads: () => leading });
    stop = handle;
    await handle.ready;
    await handle.runners.afterSync();
    expect(synced).toBe(0);
    expect(engine.requests).toEqual([]);
    expect(slack.calls).toEqual([]);
    // The same runners, once this replica leads, do run.
    leading = true;
    await handle.runners.alerts();
    expect(slack.callsTo("chat.postMessage")).toHaveLength(1);
  });
});
