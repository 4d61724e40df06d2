import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { electedLeadership } from "../../src/app/leadership.js";
import { startScheduler } from "../../src/jobs/scheduler.js";
import { createLogger } from "../../src/log.js";
import { takeoverBoundMs, type LeaderTimings } from "../../src/store/postgres/leader.js";
import { scriptedEngine } from "../jobs/helpers.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { startTestApp, type TestApp } from "./harness.js";
import { until } from "../support/until.js";

// Two replicas (issue 19): two running apps, each with its own election on one real PostgreSQL server,
// each with the real scheduler behind its leadership. Only the leader's scheduler runs; when the
// leader stops (SIGTERM in `vitals start`), the follower takes over. PGlite serves one connection at
// a time, so this runs on a real server only (test/support/postgres.ts). The store is still SQLite
// per app until the PostgreSQL store lands: what is tested here is who runs the jobs.

// Short intervals so the test takes seconds; the keepalive is PostgreSQL's minimum (1 s). The
// heartbeat may take 1.5 s to answer (as long as the keepalive allows): a busy CI machine delayed
// a 200 ms one, and the leader stepped down and restarted its jobs mid-test.
const TIMINGS: LeaderTimings = { retryMs: 100, heartbeatMs: 100, heartbeatTimeoutMs: 1_500, serverKeepalive: { idleS: 1, intervalS: 1, count: 1 } };
const PASSWORD = "replica-test-password";

interface Replica {
  readonly name: string;
  readonly app: TestApp;
  /** Threshold evaluations its scheduler ran (one at each scheduler start, then on its interval). */
  evaluations(): number;
  readonly events: string[];
  readonly logs: string[];
}

let database: TestPostgres;

/** The test database's URL with a password in it: trust authentication ignores it, the logs must not show it. */
function urlWithPassword(): string {
  const url = new URL(database.url);
  if (url.password === "") url.password = PASSWORD;
  return url.toString();
}

async function replica(name: string, timings: LeaderTimings = TIMINGS): Promise<Replica> {
  const events: string[] = [];
  const logs: string[] = [];
  const logger = createLogger("info", { write: (line: string) => logs.push(line) } as never);
  const engine = scriptedEngine();
  let evaluated = 0;
  engine.evaluateThresholds = () => {
    evaluated++;
    return Promise.resolve([]);
  };
  const app = await startTestApp({
    days: 7,
    leadership: electedLeadership(urlWithPassword(), logger, { timings, applicationName: `replica-${name}` }),
    jobs: ({ deps, slack, leads }) => {
      events.push("start");
      const stop = startScheduler(deps, slack, { engine, leads });
      return {
        stop: async () => {
          await stop();
          events.push("stop");
        },
      };
    },
  });
  return { name, app, events, logs, evaluations: () => evaluated };
}

async function health(r: Replica): Promise<{ status: number; body: { leader?: boolean; store?: string; status: string } }> {
  const response = await fetch(`${r.app.baseUrl}/healthz`);
  return { status: response.status, body: (await response.json()) as { leader?: boolean; store?: string; status: string } };
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("replicas on one PostgreSQL database (needs a real server: set TEST_DATABASE_URL)", () => {
  beforeAll(async () => {
    database = await startTestPostgres();
  });
  afterAll(async () => {
    await database?.close();
  });

  it("runs the scheduler on the leader only, and the follower takes over when the leader stops", async () => {
    const replicas: Replica[] = [];
    try {
      const a = await replica("a");
      replicas.push(a);
      await until("a to lead and start its jobs", () => a.events.includes("start"));
      // The start-up runs (digests with their charts first, then alerts) take a few seconds on a busy machine.
      await until("a's start-up alert run", () => a.evaluations() === 1, 20_000);
      const b = await replica("b");
      replicas.push(b);
      // b contends every retryMs and keeps finding the lock held: its scheduler never starts.
      await until("b to follow", () => b.logs.some((l) => l.includes('"reason":"held-elsewhere"')));
      const watchUntil = Date.now() + 10 * TIMINGS.retryMs;
      await until("the watch to end", () => {
        expect(a.app.app.leads()).toBe(true);
        expect(b.app.app.leads()).toBe(false);
        return Date.now() > watchUntil;
      });
      expect(b.events).toEqual([]);
      expect(b.evaluations()).toBe(0);
      expect(a.evaluations()).toBe(1);
      expect(await health(a)).toEqual({ status: 200, body: expect.objectContaining({ status: "ok", store: "postgres", leader: true }) });
      expect(await health(b)).toEqual({ status: 200, body: expect.objectContaining({ status: "ok", store: "postgres", leader: false }) });

      // The leader stops: its jobs stop first, then it unlocks, and b leads at its next try.
      await a.app.close();
      replicas.shift();
      expect(a.events).toEqual(["start", "stop"]);
      const tookMs = await until("b to lead and start its jobs", () => b.events.includes("start"), takeoverBoundMs(TIMINGS));
      expect(tookMs).toBeLessThanOrEqual(takeoverBoundMs(TIMINGS));
      await until("b's start-up alert run", () => b.evaluations() === 1, 20_000);
      expect(await health(b)).toEqual({ status: 200, body: expect.objectContaining({ store: "postgres", leader: true }) });
      expect(a.evaluations()).toBe(1);

      // Each leadership change is logged once, with the database's URL redacted.
      const messages = (r: Replica) => r.logs.map((l) => JSON.parse(l) as { msg: string; component?: string; reason?: string; database?: string }).filter((m) => m.component === "leader");
      expect(messages(a).every((m) => m.database?.includes(":***@"))).toBe(true);
      expect(messages(a)).toEqual([
        expect.objectContaining({ msg: "contending to run the scheduler" }),
        expect.objectContaining({ msg: "this replica leads: it runs the scheduled jobs" }),
        expect.objectContaining({ msg: "this replica does not lead: it runs no scheduled jobs", reason: "released" }),
      ]);
      expect(messages(b).map((m) => m.reason ?? m.msg)).toEqual(["contending to run the scheduler", "held-elsewhere", "this replica leads: it runs the scheduled jobs"]);
      for (const r of [a, b]) expect(r.logs.join("\n")).not.toContain(PASSWORD);
    } finally {
      for (const r of replicas) await r.app.close();
    }
  }, 90_000);

  it("stops the jobs of a leader whose connection the server ends, and the follower takes over", async () => {
    const replicas: Replica[] = [];
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const a = await replica("a");
      replicas.push(a);
      await until("a to lead", () => a.events.includes("start"));
      // b retries more often than a, which backs off one retryMs after its loss: b is the one to take over.
      const b = await replica("b", { ...TIMINGS, retryMs: 20 });
      replicas.push(b);
      await until("b to follow", () => b.logs.some((l) => l.includes('"reason":"held-elsewhere"')));

      // A failover or an operator ends the leader's session: PostgreSQL frees the lock at once.
      const { rows } = await admin.query<{ n: number }>("SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'replica-a' AND datname = current_database()");
      expect(rows[0]?.n).toBe(1);
      await until("a to stop its jobs", () => a.events.includes("stop"), takeoverBoundMs(TIMINGS));
      expect(a.app.app.leads()).toBe(false);
      await until("b to lead and start its jobs", () => b.events.includes("start"), takeoverBoundMs(TIMINGS));
      expect(a.logs.some((l) => l.includes('"reason":"lost"'))).toBe(true);
      // a contends again on a new connection, as a follower, and its scheduler stays stopped.
      await until("a to follow again", () => a.logs.some((l) => l.includes('"reason":"held-elsewhere"')));
      expect(a.events).toEqual(["start", "stop"]);
      expect((await health(a)).body).toMatchObject({ leader: false });
      expect((await health(b)).body).toMatchObject({ leader: true });
    } finally {
      await admin.end();
      for (const r of replicas) await r.app.close();
    }
  }, 90_000);
});
