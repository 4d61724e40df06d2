import { createServer, connect as tcpConnect, type Server, type Socket } from "node:net";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_LEADER_TIMINGS,
  SCHEDULER_LOCK_KEY,
  startLeaderElection,
  takeoverBoundMs,
  type FollowReason,
  type Leadership,
  type LeaderTimings,
} from "../../src/store/postgres/leader.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { until } from "../support/until.js";

// Scheduler leadership (issue 19) against a real server: contenders need a connection each, the
// killer one more, and PGlite serves one connection at a time (test/support/postgres.ts).

// Short intervals so the suite takes seconds; the server keepalive is PostgreSQL's minimum (1 s).
const TIMINGS: LeaderTimings = { retryMs: 100, heartbeatMs: 100, heartbeatTimeoutMs: 200, serverKeepalive: { idleS: 1, intervalS: 1, count: 1 } };
const BOUND_MS = takeoverBoundMs(TIMINGS);

interface Contender {
  readonly name: string;
  readonly leadership: Leadership;
  readonly events: string[];
}

let database: TestPostgres;
let admin: pg.Client;
let contenders: Contender[] = [];

function contend(name: string, url = database.url, timings: LeaderTimings = TIMINGS): Contender {
  const events: string[] = [];
  const leadership = startLeaderElection({
    ...timings,
    url,
    applicationName: `leader-test-${name}`,
    onLead: () => events.push("lead"),
    onFollow: (reason: FollowReason) => events.push(reason),
  });
  const contender = { name, leadership, events };
  contenders.push(contender);
  return contender;
}

const leaders = () => contenders.filter((c) => c.leadership.isLeader());

/** Watches for `ms`, failing if ever more than one contender leads. */
async function exactlyOneLeadsFor(ms: number): Promise<Contender> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    expect(leaders().length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const [leader] = leaders();
  if (!leader) throw new Error("no leader");
  return leader;
}

/** The backend holding the scheduler lock, as PostgreSQL sees it (advisory keys: classid high, objid low). */
async function lockHolder(): Promise<{ pid: number; name: string } | undefined> {
  const { rows } = await admin.query<{ pid: number; name: string }>(
    `SELECT l.pid, a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint`,
    [String(SCHEDULER_LOCK_KEY)],
  );
  return rows[0];
}

describe("scheduler leadership timings", () => {
  it("bounds the takeover by the server keepalive plus one retry: 16 s with the defaults", () => {
    // 5 s idle + 2 s × 3 probes before PostgreSQL frees a silent leader's lock, then one 5 s retry.
    expect(takeoverBoundMs(DEFAULT_LEADER_TIMINGS)).toBe(16_000);
    expect(BOUND_MS).toBe(2_100);
  });

  it("refuses a heartbeat that could outlast the server keepalive (the old leader must stop first)", () => {
    const slow = { ...DEFAULT_LEADER_TIMINGS, heartbeatMs: 10_000 };
    expect(() => startLeaderElection({ ...slow, url: "postgres://127.0.0.1:1/none", onLead: () => undefined, onFollow: () => undefined })).toThrow(
      "leader heartbeatMs + heartbeatTimeoutMs must be shorter than the server keepalive",
    );
    const fractional = { ...DEFAULT_LEADER_TIMINGS, serverKeepalive: { idleS: 0.5, intervalS: 1, count: 1 } };
    expect(() => startLeaderElection({ ...fractional, url: "postgres://127.0.0.1:1/none", onLead: () => undefined, onFollow: () => undefined })).toThrow(/whole numbers/);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("scheduler leadership (needs a real PostgreSQL server: set TEST_DATABASE_URL; PGlite serves one connection)", () => {
  beforeAll(async () => {
    database = await startTestPostgres();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });

  afterEach(async () => {
    await Promise.all(contenders.map((c) => c.leadership.release()));
    contenders = [];
  });

  afterAll(async () => {
    await admin?.end();
    await database?.close();
  });

  it("lets exactly one of three contenders lead, and the others follow", async () => {
    contend("a");
    contend("b");
    contend("c");
    await until("a leader", () => leaders().length > 0);
    const leader = await exactlyOneLeadsFor(10 * TIMINGS.retryMs);
    for (const c of contenders.filter((c) => c !== leader)) expect(c.events).toEqual(["held-elsewhere"]);
    expect(leader.events).toContain("lead");
    expect((await lockHolder())?.name).toBe(`leader-test-${leader.name}`);
  });

  it("hands over within the bound when the leader's backend is terminated, and the old leader reports lost", async () => {
    contend("a");
    contend("b");
    contend("c");
    await until("a leader", () => leaders().length === 1);
    const old = await exactlyOneLeadsFor(3 * TIMINGS.retryMs);
    const holder = await lockHolder();
    expect(holder?.name).toBe(`leader-test-${old.name}`);

    await admin.query("SELECT pg_terminate_backend($1)", [holder?.pid]);
    const tookMs = await until("another leader", () => leaders().some((c) => c !== old), BOUND_MS);
    expect(tookMs).toBeLessThanOrEqual(BOUND_MS);
    // It reported the loss first; by now it may already have contended again and found the lock
    // held (its retry and the new leader's both run on retryMs), but it never led again.
    expect(old.events.slice(0, 2)).toEqual(["lead", "lost"]);
    expect(old.events.slice(2).every((e) => e === "held-elsewhere")).toBe(true);
    const next = await exactlyOneLeadsFor(5 * TIMINGS.retryMs);
    expect(next).not.toBe(old);
    // The old leader contends again on a new connection, as a follower.
    await until("the old leader to follow again", () => old.events.at(-1) === "held-elsewhere");
    expect((await lockHolder())?.name).toBe(`leader-test-${next.name}`);
  });

  it("hands over on release, which unlocks and closes the connection", async () => {
    const first = contend("a");
    await until("a to lead", () => first.leadership.isLeader());
    const second = contend("b");
    await until("b to follow", () => second.events.includes("held-elsewhere"));

    await first.leadership.release();
    expect(first.leadership.isLeader()).toBe(false);
    expect(first.events).toEqual(["lead", "released"]);
    await until("b to lead", () => second.leadership.isLeader(), 3 * TIMINGS.retryMs + 1_000);
    const { rows } = await admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'leader-test-a' AND datname = current_database()");
    expect(rows[0]?.n).toBe("0");
  });

  it("never lets a follower lead while the leader's connection lives, even after that leader gave up on a silent network", async () => {
    // The leader reaches the server through a loopback proxy that can go silent: no bytes either way,
    // no close, as when a network drops packets. Its heartbeat then times out and it reports lost,
    // but PostgreSQL still sees the session, so the lock stays held and the follower must wait.
    const proxy = await silentableProxy(database.url);
    try {
      const leader = contend("a", proxy.url);
      await until("a to lead", () => leader.leadership.isLeader());
      const follower = contend("b", database.url, { ...TIMINGS, retryMs: 20 });
      await until("b to follow", () => follower.events.includes("held-elsewhere"));
      await exactlyOneLeadsFor(20 * 20);

      proxy.goSilent();
      const noticedMs = await until("a to report lost", () => leader.events.includes("lost"), 2_000);
      expect(noticedMs).toBeLessThanOrEqual(TIMINGS.heartbeatMs + TIMINGS.heartbeatTimeoutMs + 200);
      const watchUntil = Date.now() + 500;
      await until("the watch to end", () => {
        expect(follower.leadership.isLeader()).toBe(false);
        return Date.now() > watchUntil;
      });
      expect(follower.events).toEqual(["held-elsewhere"]);

      proxy.cut(); // the session finally ends: the server frees the lock
      await until("b to lead", () => follower.leadership.isLeader(), BOUND_MS);
      expect(leader.leadership.isLeader()).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});

interface SilentableProxy {
  readonly url: string;
  /** Stop forwarding in both directions, keeping both sockets open. */
  goSilent(): void;
  /** Close every proxied connection. */
  cut(): void;
  close(): Promise<void>;
}

async function silentableProxy(targetUrl: string): Promise<SilentableProxy> {
  const target = new URL(targetUrl);
  const sockets: Socket[] = [];
  let silent = false;
  const server: Server = createServer((inbound) => {
    const outbound = tcpConnect(Number(target.port || 5432), target.hostname);
    sockets.push(inbound, outbound);
    inbound.on("data", (chunk) => silent || outbound.write(chunk));
    outbound.on("data", (chunk) => silent || inbound.write(chunk));
    for (const [a, b] of [[inbound, outbound], [outbound, inbound]] as const) {
      // A silent network does not carry a close either: the server's side stays open until cut().
      a.on("error", () => silent || b.destroy());
      a.on("close", () => silent || b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no TCP address");
  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String(address.port);
  return {
    url: url.toString(),
    goSilent: () => {
      silent = true;
    },
    cut: () => sockets.forEach((s) => s.destroy()),
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
