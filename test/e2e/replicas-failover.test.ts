import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestSlot, teamCalendar } from "../../src/config/calendar.js";
import { parseFileConfig } from "../../src/config/file.js";
import { storeOptionsFrom } from "../../src/config/store-options.js";
import { parseSimulatedClock, simulatedNow } from "../../src/jobs/simulated-clock.js";
import { ALERT_ACK_ACTION } from "../../src/present/alert-blocks.js";
import { REVIEW_ACTIONS } from "../../src/present/review-blocks.js";
import { demoConfigYaml } from "../../src/sources/demo/catalog.js";
import { demoRecordBatches } from "../../src/sources/demo/generate.js";
import { DEFAULT_LEADER_TIMINGS, takeoverBoundMs } from "../../src/store/postgres/leader.js";
import { openPostgresStore } from "../../src/store/postgres/store.js";
import { startFakeSlack, type FakeSlack, type RecordedCall } from "../fakes/slack/server.js";
import { composeReplicaExample, exampleEnvironment } from "../support/deploy-example.js";
import { startTestPostgres, type TestPostgres } from "../support/postgres.js";

// Issue 19's failover test: three `vitals start` processes, run as deploy/docker-compose.yml runs its
// `vitals` service (command and environment read from the file; only the database, Slack, ports,
// secrets and config path are the test's), on one real PostgreSQL database with the demo data, in
// HTTP mode against the fake Slack, through one simulated week (1 h per 400 ms tick, the same
// timeline for all three). The leader, found by GET /healthz, is killed with SIGKILL mid-week;
// another must lead within the takeover bound, and at the end every digest (team × week), alert
// and review reminder has been posted exactly once. Real server only: PGlite has one connection.

const FROM = "2026-05-03T12:00:00Z"; // a Sunday: the week's digests fall on Monday in every team's zone
const STEP = "1h";
// 400 ms per simulated hour: a digest with its chart takes seconds on a busy machine, and each must
// still land in its week.
const TICK_MS = 400;
const WEEK_TICKS = 7 * 24;
/** Kill the leader at Tuesday 24:00 UTC: after Monday's digests, with reminders and alerts still to come. */
const KILL_AT_TICK = 60;
/** Real time for the three processes to start (tsx compiles the sources) before the simulated week begins. */
const START_MS = 25_000;
const SIGNING_SECRET = "failover-signing-secret";

interface Replica {
  readonly name: string;
  readonly port: number;
  readonly token: string;
  readonly child: ChildProcess;
  readonly logs: string[];
  readonly exited: Promise<number | null>;
}

interface Post {
  readonly replica: string;
  readonly atMs: number;
  readonly kind: "digest" | "alert" | "alert-thread" | "review" | "other";
  readonly channel: string;
  readonly threadTs: string;
  readonly text: string;
  readonly ts: string;
  /** The alert's key (its Acknowledge button's value) or the review id (its buttons' value). */
  readonly key: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function buttons(call: RecordedCall): { action_id?: string; value?: string }[] {
  const blocks = (call.args.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[];
  return (typeof blocks === "string" ? (JSON.parse(blocks) as typeof blocks) : blocks).flatMap((b) => b.elements ?? []);
}

async function health(port: number): Promise<{ status: number; leader?: boolean; slack?: string } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { leader?: boolean; slack?: string };
    return { ...body, status: response.status };
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms: number, everyMs = 100): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

let database: TestPostgres;
let slack: FakeSlack;
let dir: string;

describe.skipIf(!process.env.TEST_DATABASE_URL)("three replicas through a simulated week, the leader killed (needs a real server: set TEST_DATABASE_URL)", () => {
  beforeAll(async () => {
    database = await startTestPostgres();
    slack = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), "vitals-failover-"));
  });
  afterAll(async () => {
    await slack?.close();
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("posts each digest, alert and reminder once across a SIGKILLed leader's failover", async () => {
    // The demo organisation up to the week's start, written as `vitals start` would find it.
    // Organisation-wide alerts need a channel too (the demo config names only the teams'). An
    // unacknowledged alert's reminder repeats in its thread with the same text while the value holds:
    // reminding less often than once a week makes every alert message of the week unique.
    const demo = parse(demoConfigYaml()) as { alerts?: Record<string, unknown> };
    const yaml = stringify({ ...demo, alerts: { ...demo.alerts, channel: "C0ALERTS01", reminder_hours: 8 * 24 } });
    const configPath = join(dir, "vitals.yml");
    writeFileSync(configPath, yaml);
    const config = parseFileConfig(yaml, configPath);
    const store = await openPostgresStore(database.url, storeOptionsFrom(config), { onIdleError: () => undefined, maxConnections: 4 });
    try {
      await store.catalog.syncFromConfig(config);
      for (const batch of demoRecordBatches({ nowMs: Date.parse(FROM), days: 120 })) await store.write(batch);
    } finally {
      await store.close();
    }

    const example = composeReplicaExample();
    const [program, ...args] = example.command;
    expect(program).toBe("node");
    const startedAt = new Date(Date.now() + START_MS).toISOString();
    const clockArgs = ["--clock-from", FROM, "--clock-step", STEP, "--tick-ms", String(TICK_MS), "--clock-started-at", startedAt];
    const clock = parseSimulatedClock({ from: FROM, step: STEP, tickMs: String(TICK_MS), startedAt }, Date.now())!;
    const simIso = (realMs: number) => new Date(simulatedNow(clock, realMs)).toISOString().slice(0, 16);

    const replicas: Replica[] = [];
    for (const name of ["a", "b", "c"]) {
      const port = await freePort();
      const token = `xoxb-failover-${name}`;
      const env = exampleEnvironment(example, { DATABASE_URL: database.url, SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: SIGNING_SECRET, VITALS_CONFIG: configPath, PORT: String(port) });
      const child = spawn(process.execPath, [...args, ...clockArgs], {
        env: { PATH: process.env.PATH ?? "", VITALS_FROM_SOURCES: "1", HOST: "127.0.0.1", SLACK_API_URL: slack.apiUrl, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const logs: string[] = [];
      for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (chunk: Buffer) => logs.push(...chunk.toString().split("\n").filter(Boolean)));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      replicas.push({ name, port, token, child, logs, exited });
    }
    const byToken = new Map(replicas.map((r) => [`Bearer ${r.token}`, r.name]));

    const events: { atMs: number; text: string }[] = [];
    const posts = (): Post[] =>
      slack
        .callsTo("chat.postMessage")
        .filter((c) => c.result?.ok === true)
        .map((c) => {
          const text = String(c.args.text ?? "");
          const threadTs = String(c.args.thread_ts ?? "");
          const found = buttons(c);
          const ack = found.find((b) => b.action_id === ALERT_ACK_ACTION);
          const review = found.find((b) => b.action_id === REVIEW_ACTIONS.done);
          const kind = text.startsWith("Weekly digest:") ? "digest" : ack ? "alert" : review ? "review" : threadTs ? "alert-thread" : "other";
          return { replica: byToken.get(c.authorization ?? "") ?? "?", atMs: c.atMs, kind, channel: String(c.result?.channel ?? c.args.channel), threadTs, text, ts: String(c.result?.ts), key: ack?.value ?? review?.value ?? "" };
        });
    const timeline = () =>
      [
        ...posts().map((p) => ({ atMs: p.atMs, text: `${p.replica} ${p.kind.padEnd(12)} ${p.channel} ${p.threadTs ? `(thread ${p.threadTs}) ` : ""}${p.text.slice(0, 90)}` })),
        ...events,
      ]
        .sort((x, y) => x.atMs - y.atMs)
        .map((e) => `  ${simIso(e.atMs)}  ${e.text}`)
        .join("\n");
    const logTail = () => replicas.map((r) => `--- replica ${r.name} (port ${r.port}):\n${r.logs.filter((l) => /leader|lead|error|failed|WARN|warn/.test(l)).slice(-15).join("\n")}`).join("\n");

    try {
      // All three listen and reach Slack; exactly one leads.
      await until("all three replicas to be healthy", async () => ((await Promise.all(replicas.map((r) => health(r.port)))).every((h) => h?.status === 200) ? true : undefined), 45_000, 250).catch((error: Error) => {
        throw new Error(`${error.message}\n${replicas.map((r) => `--- ${r.name} (exit ${r.child.exitCode}):\n${r.logs.slice(-10).join("\n")}`).join("\n")}`);
      });
      const leaders = async () => (await Promise.all(replicas.map(async (r) => ((await health(r.port))?.leader ? r : undefined)))).filter((r): r is Replica => r !== undefined);
      const first = await until("one leader", async () => {
        const found = await leaders();
        return found.length === 1 ? found[0] : undefined;
      }, 20_000);
      events.push({ atMs: Date.now(), text: `=== ${first.name} leads` });

      // Partway through the week: SIGKILL the leader (no drain, no unlock: PostgreSQL frees its lock).
      await until("the kill moment", () => (Date.now() >= clock.startedAtMs + KILL_AT_TICK * TICK_MS ? true : undefined), START_MS + KILL_AT_TICK * TICK_MS + 60_000, 20);
      const killedAt = Date.now();
      first.child.kill("SIGKILL");
      events.push({ atMs: killedAt, text: `=== ${first.name} killed (SIGKILL)` });
      await first.exited;
      const survivors = replicas.filter((r) => r !== first);
      const bound = takeoverBoundMs(DEFAULT_LEADER_TIMINGS);
      const next = await until("another replica to lead", async () => {
        const found = (await Promise.all(survivors.map(async (r) => ((await health(r.port))?.leader ? r : undefined)))).filter((r) => r !== undefined);
        return found.length > 0 ? found : undefined;
      }, bound + 2_000, 50);
      const tookMs = Date.now() - killedAt;
      events.push({ atMs: Date.now(), text: `=== ${next.map((r) => r.name).join(",")} leads, ${tookMs} ms after the kill (bound ${bound} ms)` });
      expect(next, "exactly one survivor leads").toHaveLength(1);
      expect(tookMs, timeline()).toBeLessThanOrEqual(bound);
      const second = next[0]!;

      // The rest of the week, then a clean stop (SIGTERM: runs in progress record what they posted).
      await until("the end of the week", () => (Date.now() >= clock.startedAtMs + WEEK_TICKS * TICK_MS ? true : undefined), WEEK_TICKS * TICK_MS + 60_000, 20);
      for (const r of survivors) r.child.kill("SIGTERM");
      const codes = await Promise.all(survivors.map((r) => r.exited));
      const endedAt = Date.now();
      events.push({ atMs: endedAt, text: "=== survivors stopped" });
      expect(codes, logTail()).toEqual([0, 0]);
      const endSim = simulatedNow(clock, endedAt);
      const all = posts();
      const story = `timeline (simulated UTC when each post arrived — a slow run posts later than its own now; replica, kind, channel, text):\n${timeline()}\n${logTail()}`;
      process.stdout.write(`replicas-failover: ${all.length} posts; takeover ${tookMs} ms after the kill\n${timeline()}\n`);

      // Only the leader of the moment posted: the first until it died, then the one that took over.
      expect(all.filter((p) => (p.atMs < killedAt ? p.replica !== first.name : p.replica !== second.name)), story).toEqual([]);

      // Nothing posted twice. A message's identity: a digest's channel and week (its text), an
      // alert's key and status line, a review message's review and text, a recovery's thread.
      const identity = (p: Post) => (p.kind === "alert" || p.kind === "review" ? `${p.kind}|${p.key}|${p.text}` : `${p.kind}|${p.channel}|${p.threadTs}|${p.text}`);
      const seen = new Map<string, Post[]>();
      for (const p of all) seen.set(identity(p), [...(seen.get(identity(p)) ?? []), p]);
      expect([...seen.values()].filter((ps) => ps.length > 1).map((ps) => ps.map((p) => `${simIso(p.atMs)} ${p.replica} ${p.kind} ${p.key} ${p.text.slice(0, 60)}`)), story).toEqual([]);

      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        // (a) Each team's digest for each week due during the week, once, and recorded with its message.
        const expected = new Set<string>();
        for (const team of config.teams) {
          for (let t = clock.fromMs; t <= endSim; t += clock.stepMs) {
            const slot = digestSlot(t, teamCalendar(config, team));
            if (t >= slot.dueAtMs && t < slot.weekEndMs) expected.add(`${team.id} ${slot.weekKey}`);
          }
        }
        const digests = (await admin.query<{ team_id: string; week_start: string; posted_at: number; channel: string | null; ts: string | null }>("SELECT team_id, week_start, posted_at::float8 AS posted_at, channel, ts FROM digests ORDER BY team_id, week_start")).rows;
        expect(new Set(digests.map((d) => `${d.team_id} ${d.week_start}`)), story).toEqual(expected);
        const digestPosts = all.filter((p) => p.kind === "digest");
        expect(digestPosts, story).toHaveLength(expected.size);
        for (const d of digests) expect(digestPosts.filter((p) => p.channel === d.channel && p.ts === d.ts), `digest ${d.team_id} ${d.week_start}, claimed at simulated ${new Date(d.posted_at).toISOString()} (the kill: simulated ${simIso(killedAt)}), message ${d.channel ?? "none"} ${d.ts ?? "none"}\n${story}`).toHaveLength(1);
        // Monday's digest of every team is among them.
        expect(config.teams.every((team) => expected.has(`${team.id} ${digestSlot(Date.parse("2026-05-04T18:00:00Z"), teamCalendar(config, team)).weekKey}`))).toBe(true);

        // (b) At least one threshold breach, each alert's message the one its state records.
        const alertPosts = all.filter((p) => p.kind === "alert");
        expect(alertPosts.length, story).toBeGreaterThan(0);
        const alerts = (await admin.query<{ message_ts: string | null; channel: string | null }>("SELECT channel, message_ts FROM alert_state WHERE message_ts IS NOT NULL")).rows;
        for (const a of alerts) expect(alertPosts.filter((p) => p.channel === a.channel && p.ts === a.message_ts), `alert message ${a.channel} ${a.message_ts}\n${story}`).toHaveLength(1);
        // An alert is posted once per breach episode: once per key and status line.
        // And a recovery, replied in its breach's thread.
        expect(all.filter((p) => p.kind === "alert-thread" && p.text.includes("Recovered")).length, story).toBeGreaterThan(0);

        // (c) Review reminders: each (review, kind) recorded once, and posted once with that record's message.
        const reminders = (await admin.query<{ review_id: number; kind: string; channel: string | null; ts: string | null }>("SELECT review_id, kind, channel, ts FROM review_reminders WHERE channel IS NOT NULL ORDER BY review_id, kind")).rows;
        const reviewPosts = all.filter((p) => p.kind === "review");
        expect(reminders.length, story).toBeGreaterThan(0);
        expect(reminders.filter((r) => r.ts === null), `reminders claimed but not completed\n${story}`).toEqual([]);
        expect(reviewPosts, story).toHaveLength(reminders.length);
        for (const r of reminders) expect(reviewPosts.filter((p) => p.channel === r.channel && p.ts === r.ts), `reminder ${r.review_id} ${r.kind}\n${story}`).toHaveLength(1);
      } finally {
        await admin.end();
      }
    } finally {
      for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
      await Promise.all(replicas.map((r) => r.exited));
    }
  }, 240_000);
});
