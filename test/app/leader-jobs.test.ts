import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { leaderJobs, type JobsHandle, type LeaderJobs } from "../../src/app/leader-jobs.js";
import type { ReplicaLeadership } from "../../src/app/leadership.js";
import { startScheduler } from "../../src/jobs/scheduler.js";
import { silentLogger } from "../../src/log.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { evaluation, scriptedEngine, testDeps } from "../jobs/helpers.js";

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
});
