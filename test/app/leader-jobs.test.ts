import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { leaderJobs, type JobsHandle, type LeaderJobs } from "../../src/app/leader-jobs.js";
import type { ReplicaLeadership } from "../../src/app/leadership.js";
import { startScheduler } from "../../src/jobs/scheduler.js";
import { silentLogger } from "../../src/log.js";
import { ABANDONED_CLAIM_MS } from "../../src/domain/claims.js";
import type { SlackClient } from "../../src/sources/slack/calls.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { evaluation, scriptedEngine, testConfig, testDeps } from "../jobs/helpers.js";

// The scheduled jobs run exactly while this replica leads (issue 19), over a leadership the test
// scripts: it decides when this replica leads and loses, as the PostgreSQL election would.

interface ScriptedLeadership extends ReplicaLeadership {
  /** Lead (true) or follow (false), and tell the contender, as the election's callbacks do. */
  set(leading: boolean): void;
  readonly events: string[];
}

function scriptedLeadership(): ScriptedLeadership {
  let leading = false;
  let notify: (() => void) | undefined;
  const events: string[] = [];
  return {
    store: "postgres",
    events,
    contend(onChange) {
      events.push("contend");
      notify = onChange;
      return {
        isLeader: () => leading,
        release: async () => {
          leading = false;
          events.push("release");
        },
      };
    },
    set(value) {
      leading = value;
      notify?.();
    },
  };
}

/** Jobs whose start and stop are recorded in `events`; a stop waits for `finishing` (a run in progress). */
function recordedJobs(events: string[]) {
  let finishRun: () => void = () => undefined;
  let runInProgress = false;
  const start = (): JobsHandle => {
    events.push("start");
    return {
      stop: async () => {
        events.push("stopping");
        if (runInProgress) await new Promise<void>((resolve) => (finishRun = resolve));
        events.push("stopped");
      },
    };
  };
  return {
    start,
    beginRun: () => void (runInProgress = true),
    finishRun: () => {
      runInProgress = false;
      finishRun();
    },
  };
}

/** Let the queued leadership changes apply (they chain on promises only). */
const applied = () => new Promise((resolve) => setTimeout(resolve, 0));

let slack: FakeSlack;
let gate: LeaderJobs | undefined;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());
afterEach(async () => {
  await gate?.stop();
  gate = undefined;
  slack.reset();
});

describe("scheduled jobs follow the leadership", () => {
  it("start when the replica becomes leader, stop when it loses, and start again when it leads again", async () => {
    const leadership = scriptedLeadership();
    const jobs = recordedJobs(leadership.events);
    gate = await leaderJobs(leadership, jobs.start, silentLogger());
    expect(leadership.events).toEqual(["contend"]);
    expect(gate.leads()).toBe(false);
    expect(gate.running()).toBe(false);

    leadership.set(true);
    await applied();
    expect(leadership.events).toEqual(["contend", "start"]);
    expect(gate.running()).toBe(true);

    leadership.set(false);
    expect(gate.leads()).toBe(false); // at once, before the stop is applied: a run starting now does nothing
    await applied();
    expect(leadership.events).toEqual(["contend", "start", "stopping", "stopped"]);
    expect(gate.running()).toBe(false);

    leadership.set(true);
    await applied();
    expect(leadership.events.slice(4)).toEqual(["start"]);
  });

  it("never runs two schedulers at once: a leadership regained while a run finishes starts the jobs after it", async () => {
    const leadership = scriptedLeadership();
    const jobs = recordedJobs(leadership.events);
    gate = await leaderJobs(leadership, jobs.start, silentLogger());
    leadership.set(true);
    await applied();
    jobs.beginRun();
    leadership.set(false);
    leadership.set(true);
    await applied();
    expect(leadership.events).toEqual(["contend", "start", "stopping"]);
    jobs.finishRun();
    await applied();
    expect(leadership.events).toEqual(["contend", "start", "stopping", "stopped", "start"]);
  });

  it("stops the jobs before it releases the leadership, so the next leader never overlaps this one", async () => {
    const leadership = scriptedLeadership();
    const jobs = recordedJobs(leadership.events);
    const stopping = await leaderJobs(leadership, jobs.start, silentLogger());
    leadership.set(true);
    await applied();
    jobs.beginRun();
    const stopped = stopping.stop();
    await applied();
    expect(stopping.leads()).toBe(false);
    expect(leadership.events).toEqual(["contend", "start", "stopping"]);
    jobs.finishRun();
    await stopped;
    expect(leadership.events).toEqual(["contend", "start", "stopping", "stopped", "release"]);
  });

  it("fails the start when the jobs cannot start on a leader, releasing the leadership", async () => {
    const leadership = scriptedLeadership();
    leadership.set(true);
    const failing = () => {
      throw new Error("bad schedule");
    };
    await expect(leaderJobs(leadership, failing, silentLogger())).rejects.toThrow("bad schedule");
    expect(leadership.events).toEqual(["contend", "release"]);
  });

  it("logs a failure to start on a later change, and the next change tries again", async () => {
    const leadership = scriptedLeadership();
    let attempts = 0;
    gate = await leaderJobs(
      leadership,
      () => {
        attempts++;
        if (attempts === 1) throw new Error("database is locked");
        return { stop: () => Promise.resolve() };
      },
      silentLogger(),
    );
    leadership.set(true);
    await applied();
    expect(attempts).toBe(1);
    expect(gate.running()).toBe(false);
    leadership.set(true);
    await applied();
    expect(attempts).toBe(2);
    expect(gate.running()).toBe(true);
  });
});

describe("the real scheduler behind the leadership", () => {
  it("runs the start-up jobs on becoming leader, and a stale run after the loss posts nothing", async () => {
    const engine = scriptedEngine();
    engine.evaluations = [evaluation("change_failure_rate", { kind: "team", id: "payments" }, 20, 10, 15)];
    let evaluated = 0;
    engine.evaluateThresholds = () => {
      evaluated++;
      return Promise.resolve(engine.evaluations);
    };
    const deps = testDeps(undefined, undefined, Date.parse("2026-03-03T12:00:00Z"));
    const leadership = scriptedLeadership();
    let scheduler: ReturnType<typeof startScheduler> | undefined;
    gate = await leaderJobs(
      leadership,
      (leads) => {
        scheduler = startScheduler(deps, slack.client(), { engine, leads });
        return { stop: () => scheduler!(), afterSync: () => scheduler!.runners.afterSync() };
      },
      silentLogger(),
    );
    expect(scheduler).toBeUndefined();

    leadership.set(true);
    await applied();
    await scheduler!.ready;
    expect(evaluated).toBe(1);
    // The week's digest (missed since Monday) and the breach, both to the team's channel.
    const posted = slack.callsTo("chat.postMessage").map((c) => c.args.channel);
    expect(posted).toEqual(["C0PAYMENTS", "C0PAYMENTS"]);

    leadership.set(false);
    // Runs that began after the loss (a tick already fired, an after-sync queued before the stop) do nothing.
    const stale = scheduler!.runners;
    await Promise.all([stale.alerts(), stale.afterSync(), stale.digests(), stale.reviews(), gate.afterSync()]);
    await applied();
    expect(gate.running()).toBe(false);
    expect(evaluated).toBe(1);
    expect(slack.callsTo("chat.postMessage")).toHaveLength(posted.length);
  });

  it("posts once the digest a leader claimed and died before posting, when the next leader takes over", async () => {
    // Two replicas on one database, each with its own store (so its own claimer name).
    const db = openDatabase(":memory:");
    const config = testConfig();
    const startMs = Date.parse("2026-03-03T12:00:00Z");
    const depsA = testDeps(config, createStore(db), startMs);
    const depsB = testDeps(config, createStore(db), startMs + 5 * 60_000);
    const engine = scriptedEngine();

    // A leads, claims the week's digest, and dies in the middle of posting it: its Slack call
    // never returns, and nothing of it runs again (its cron tasks are destroyed, its run never ends).
    const dying = { chat: { postMessage: () => new Promise<never>(() => undefined) } } as unknown as SlackClient;
    const leadershipA = scriptedLeadership();
    let schedulerA: ReturnType<typeof startScheduler> | undefined;
    await leaderJobs(leadershipA, (leads) => {
      schedulerA = startScheduler(depsA, dying, { engine, leads });
      return { stop: () => schedulerA!() };
    }, silentLogger());
    leadershipA.set(true);
    await applied();
    const claimed = async () => (await depsA.store.digests.forTeam("payments"))[0];
    for (let i = 0; i < 100 && !(await claimed()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await claimed()).toMatchObject({ posted_at: startMs, ts: null });
    void schedulerA!();

    // B leads five minutes later: A's claim is too young to be sure A is not still posting it.
    const leadershipB = scriptedLeadership();
    let schedulerB: ReturnType<typeof startScheduler> | undefined;
    gate = await leaderJobs(leadershipB, (leads) => {
      schedulerB = startScheduler(depsB, slack.client(), { engine, leads });
      return { stop: () => schedulerB!() };
    }, silentLogger());
    leadershipB.set(true);
    await applied();
    await schedulerB!.ready;
    expect(slack.callsTo("chat.postMessage")).toHaveLength(0);

    // Once the claim is older than any live claimer holds one, B's next tick gives it back and
    // posts the digest; later ticks post nothing more.
    depsB.setNow(startMs + ABANDONED_CLAIM_MS + 60_000);
    await schedulerB!.runners.digests();
    await schedulerB!.runners.digests();
    depsB.setNow(startMs + 2 * ABANDONED_CLAIM_MS);
    await schedulerB!.runners.digests();
    expect(slack.callsTo("chat.postMessage").map((c) => c.args.channel)).toEqual(["C0PAYMENTS"]);
    const week = await depsB.store.digests.forTeam("payments");
    expect(week).toHaveLength(1);
    expect(week[0]).toMatchObject({ posted_at: startMs + ABANDONED_CLAIM_MS + 60_000, channel: "C0PAYMENTS" });
    expect(week[0]!.ts).toEqual(expect.any(String));
  });
});
