import { describe, expect, it } from "vitest";
import { ABANDONED_CLAIM_MS } from "../../src/domain/claims.js";
import { DEFAULT_STORE_OPTIONS } from "../../src/store/index.js";
import { storeOps, type StoreOps } from "../../src/store/operations.js";
import type { AlertState } from "../../src/store/alerts.js";
import type { Dialect } from "../../src/store/sql/dialect.js";
import { all, run, type Sql } from "../../src/store/sql/query.js";
import { DEFAULT_LEADER_TIMINGS, takeoverBoundMs } from "../../src/store/postgres/leader.js";
import { postgresEngineOfFile, sqliteEngine } from "../support/sql-engines.js";

// Claims left unposted by a dead replica (issue 19): replica A claims work and dies before posting;
// B, leading now, gives back A's claims once they are older than ABANDONED_CLAIM_MS and does the
// work itself, exactly once. B's own claims, young claims and posted ones are never given back.
// The same scenario on SQLite and PostgreSQL, with the same answers.

const T0 = Date.parse("2026-03-02T10:00:00Z");
const H = 3_600_000;
/** B's run long after A died: A's claims at T0 are abandoned, those at `YOUNG` are not yet. */
const LATER = T0 + ABANDONED_CLAIM_MS + 60_000;
const YOUNG = LATER - ABANDONED_CLAIM_MS + 1;
const CUTOFF = LATER - ABANDONED_CLAIM_MS;

interface Engine {
  readonly dialect: Dialect;
  /** Two replicas' stores on one database: each names itself on the claims it takes. */
  readonly a: StoreOps;
  readonly b: StoreOps;
  tx<T>(op: Sql<T>): Promise<T>;
}

function* seed(): Sql<void> {
  yield* run(`INSERT INTO teams (id, name) VALUES ('payments', 'Payments')`);
  yield* run(`INSERT INTO services (id, name, team_id) VALUES ('pay-api', 'Pay API', 'payments')`);
  yield* run(`INSERT INTO deployments (id, source, external_id, service_id, environment, status, finished_at) VALUES (1, 'github', 'd1', 'pay-api', 'production', 'success', ?)`, [T0 - 10 * H]);
  yield* run(
    `INSERT INTO incidents (id, source, external_id, service_id, title, created_at, resolved_at, linked_deployment_id, link_rule) VALUES
     (1, 'pagerduty', 'Q1', 'pay-api', 'One', ?, ?, 1, 'heuristic'), (2, 'pagerduty', 'Q2', 'pay-api', 'Two', ?, ?, 1, 'heuristic'),
     (3, 'pagerduty', 'Q3', 'pay-api', 'Three', ?, ?, 1, 'heuristic'), (4, 'pagerduty', 'Q4', 'pay-api', 'Four', ?, ?, 1, 'heuristic'),
     (5, 'pagerduty', 'Q5', 'pay-api', 'Five', ?, ?, 1, 'heuristic')`,
    [T0 - 4 * H, T0 - 2 * H, T0 - 4 * H, T0 - 2 * H, T0 - 4 * H, T0 - 2 * H, T0 - 4 * H, T0 - 2 * H, T0 - 4 * H, T0 - 2 * H],
  );
}

const alert = (metric: string, over: Partial<AlertState> = {}): AlertState => ({
  metric,
  scope: { kind: "team", id: "payments" },
  status: "warn",
  sinceMs: T0,
  value: 12.5,
  threshold: 10,
  channel: "C0PAY",
  messageTs: null,
  acknowledgedBy: null,
  acknowledgedAtMs: null,
  lastNotifiedAtMs: T0,
  ...over,
});

async function scenario(e: Engine): Promise<Record<string, unknown>> {
  const { a, b } = e;
  const out: Record<string, unknown> = {};
  await e.tx(seed());

  // Digests. A: one week claimed and never posted (died), one posted, one claimed just now (young).
  await e.tx(a.digests.claim("payments", "2026-02-16", T0));
  await e.tx(a.digests.claim("payments", "2026-02-23", T0));
  await e.tx(a.digests.complete("payments", "2026-02-23", "C0PAY", "1.1"));
  await e.tx(a.digests.claim("payments", "2026-03-09", YOUNG));
  // B, the current leader, has a claim of its own in progress, as old as A's.
  await e.tx(b.digests.claim("payments", "2026-03-02", T0));
  out.digestsReleased = [await e.tx(b.digests.releaseAbandoned(CUTOFF)), await e.tx(b.digests.releaseAbandoned(CUTOFF))];
  out.digestWeeks = (await e.tx(b.digests.forTeam("payments"))).map((w) => `${w.week_start}:${w.ts ?? "-"}`);
  // B posts the given-back week once; dead A's late completion or release changes nothing.
  out.digestReclaim = [await e.tx(b.digests.claim("payments", "2026-02-16", LATER)), await e.tx(b.digests.claim("payments", "2026-02-16", LATER))];
  await e.tx(b.digests.complete("payments", "2026-02-16", "C0PAY", "2.2"));
  await e.tx(a.digests.complete("payments", "2026-02-16", "C0PAY", "9.9"));
  await e.tx(a.digests.release("payments", "2026-02-16"));
  out.digestAfter = await e.tx(b.digests.get("payments", "2026-02-16"));
  // A claim is only ever given back by another claimer: were A to lead again much later, it would
  // give back B's unposted week, never its own.
  out.digestsReleasedByA = await e.tx(a.digests.releaseAbandoned(LATER + ABANDONED_CLAIM_MS));
  out.digestWeeksAfterA = (await e.tx(a.digests.forTeam("payments"))).map((w) => `${w.week_start}:${w.ts ?? "-"}`);

  // Review reminders: the same, plus a reminder with nowhere to go (final as recorded).
  const id = (await e.tx(a.reviews.open({ incidentId: 1, teamId: "payments", ownerSlackId: "U9", ownerEmail: null, openedAtMs: T0, dueAtMs: T0 + 48 * H })))!;
  await e.tx(a.reviews.recordReminder(id, "opened", T0, "U9", null));
  await e.tx(a.reviews.recordReminder(id, "before_due", T0, "U9", null));
  await e.tx(a.reviews.completeReminder(id, "before_due", "D9", "3.3"));
  await e.tx(a.reviews.recordReminder(id, "due", T0, null, null));
  await e.tx(a.reviews.recordReminder(id, "overdue:1", YOUNG, "U9", null));
  await e.tx(b.reviews.recordReminder(id, "escalation", T0, "C0PAY", null));
  out.remindersReleased = await e.tx(b.reviews.releaseAbandonedReminders(CUTOFF));
  out.reminderKinds = (await e.tx(b.reviews.reminders(id))).map((r) => `${r.kind}:${r.ts ?? "-"}`);
  out.reminderReclaim = [await e.tx(b.reviews.recordReminder(id, "opened", LATER, "U9", null)), await e.tx(b.reviews.recordReminder(id, "opened", LATER, "U9", null))];
  await e.tx(b.reviews.completeReminder(id, "opened", "D9", "4.4"));
  await e.tx(a.reviews.forgetReminder(id, "opened"));
  await e.tx(a.reviews.forgetReminder(id, "overdue:1")); // a claimer's own failed post still gives its claim back
  out.remindersAfter = (await e.tx(b.reviews.reminders(id))).map((r) => `${r.kind}:${r.sent_at === LATER ? "later" : "before"}:${r.ts ?? "-"}`);

  // Link confirmations: messages (1 unposted, 2 posted, 3 nobody to ask, 4 B's own) and reminders.
  await e.tx(a.confirmations.claim(1, 1, "U1", T0));
  await e.tx(a.confirmations.claim(2, 1, "U2", T0));
  await e.tx(a.confirmations.recordPosted(2, "D2", "5.5"));
  await e.tx(a.confirmations.claim(3, 1, null, T0));
  await e.tx(b.confirmations.claim(4, 1, "U4", T0));
  await e.tx(a.confirmations.claim(5, 1, "U5", T0));
  await e.tx(a.confirmations.recordPosted(5, "D5", "6.6"));
  await e.tx(a.confirmations.claimReminder(2, T0)); // A died before sending this reminder
  await e.tx(a.confirmations.claimReminder(5, T0));
  await e.tx(a.confirmations.recordReminded(5)); // this one went out
  out.confirmationsReleased = await e.tx(b.confirmations.releaseAbandoned(CUTOFF));
  out.confirmationRows = await e.tx(all(`SELECT incident_id, ts, reminded_at FROM link_confirmations ORDER BY incident_id`));
  out.confirmationDue = (await e.tx(b.confirmations.dueReminders(LATER))).map((r) => r.incident_id);
  out.confirmationReclaim = [
    await e.tx(b.confirmations.claim(1, 1, "U1", LATER)),
    await e.tx(b.confirmations.claim(1, 1, "U1", LATER)),
    await e.tx(b.confirmations.claimReminder(2, LATER)),
    await e.tx(b.confirmations.claimReminder(2, LATER)),
  ];
  await e.tx(a.confirmations.unclaimReminder(2)); // dead A's late unclaim leaves B's claim
  await e.tx(a.confirmations.forget(1));
  out.confirmationsAfter = await e.tx(all(`SELECT incident_id, sent_at, reminded_at FROM link_confirmations WHERE incident_id IN (1, 2) ORDER BY incident_id`));

  // Alerts: A claimed a breach (died before posting), posted another, claimed a third just now;
  // B has one of its own in flight. No channel: nothing to post, so no claim.
  const died = alert("change_failure_rate");
  const posted = alert("mttr");
  const young = alert("deployment_frequency", { sinceMs: YOUNG, lastNotifiedAtMs: YOUNG });
  const own = alert("lead_time", { status: "critical" });
  const silent = alert("availability", { channel: null });
  for (const s of [died, posted, young, silent]) await e.tx(a.alerts.transition(undefined, s));
  await e.tx(a.alerts.recordMessage(posted, "7.7"));
  await e.tx(b.alerts.transition(undefined, own));
  out.alertsReleased = [await e.tx(b.alerts.releaseAbandoned(CUTOFF)), await e.tx(b.alerts.releaseAbandoned(CUTOFF))];
  out.alertStatuses = await e.tx(all(`SELECT metric, status, message_ts FROM alert_state ORDER BY ${e.dialect.textOrder("metric")}`));
  // The next evaluation claims the breach again from the ok state, once, and records its message.
  const released = (await e.tx(b.alerts.get(died.metric, died.scope)))!;
  const again = { ...died, sinceMs: LATER, lastNotifiedAtMs: LATER };
  out.alertReclaim = [await e.tx(b.alerts.transition(released, again)), await e.tx(b.alerts.transition(released, again)), await e.tx(b.alerts.recordMessage(again, "8.8"))];
  // Much later, another claimer gives back only what is still unposted: B's lead_time, not the
  // breach B posted.
  out.alertsReleasedLater = await e.tx(a.alerts.releaseAbandoned(LATER + ABANDONED_CLAIM_MS));
  out.alertAfter = await e.tx(b.alerts.get(died.metric, died.scope));
  out.alertStatusesLater = await e.tx(all(`SELECT metric, status FROM alert_state ORDER BY ${e.dialect.textOrder("metric")}`));
  return out;
}

describe("claims left by a dead replica, on both engines", () => {
  const pgOf = postgresEngineOfFile();

  it("gives back only other claimers' abandoned unposted claims, and the work is then done once", async () => {
    const s = sqliteEngine();
    const expected = await scenario({
      dialect: s.dialect,
      a: storeOps(s.dialect, DEFAULT_STORE_OPTIONS, "replica-a"),
      b: storeOps(s.dialect, DEFAULT_STORE_OPTIONS, "replica-b"),
      tx: (op) => Promise.resolve(s.runner.transaction(op)),
    });
    await pgOf().truncate();
    const got = await scenario({
      dialect: pgOf().dialect,
      a: storeOps(pgOf().dialect, DEFAULT_STORE_OPTIONS, "replica-a"),
      b: storeOps(pgOf().dialect, DEFAULT_STORE_OPTIONS, "replica-b"),
      tx: (op) => pgOf().runner.transaction(op),
    });
    expect(got).toEqual(expected);

    // Only A's old unposted week goes; the posted one, the young one and B's own stay.
    expect(expected.digestsReleased).toEqual([1, 0]);
    expect(expected.digestWeeks).toEqual(["2026-02-23:1.1", "2026-03-02:-", "2026-03-09:-"]);
    expect(expected.digestReclaim).toEqual([true, false]);
    expect(expected.digestAfter).toEqual({ team_id: "payments", week_start: "2026-02-16", posted_at: LATER, channel: "C0PAY", ts: "2.2" });
    expect(expected.digestsReleasedByA).toBe(1);
    expect(expected.digestWeeksAfterA).toEqual(["2026-02-16:2.2", "2026-02-23:1.1", "2026-03-09:-"]);

    expect(expected.remindersReleased).toBe(1);
    expect(expected.reminderKinds).toEqual(["before_due:3.3", "due:-", "escalation:-", "overdue:1:-"]);
    expect(expected.reminderReclaim).toEqual([true, false]);
    expect(expected.remindersAfter).toEqual(["before_due:before:3.3", "due:before:-", "escalation:before:-", "opened:later:4.4"]);

    expect(expected.confirmationsReleased).toEqual({ messages: 1, reminders: 1 });
    expect(expected.confirmationRows).toEqual([
      { incident_id: 2, ts: "5.5", reminded_at: null },
      { incident_id: 3, ts: null, reminded_at: null },
      { incident_id: 4, ts: null, reminded_at: null },
      { incident_id: 5, ts: "6.6", reminded_at: T0 },
    ]);
    expect(expected.confirmationDue).toEqual([2]);
    expect(expected.confirmationReclaim).toEqual([true, false, true, false]);
    expect(expected.confirmationsAfter).toEqual([
      { incident_id: 1, sent_at: LATER, reminded_at: null },
      { incident_id: 2, sent_at: T0, reminded_at: LATER },
    ]);

    expect(expected.alertsReleased).toEqual([1, 0]);
    expect(expected.alertStatuses).toEqual([
      { metric: "availability", status: "warn", message_ts: null },
      { metric: "change_failure_rate", status: "ok", message_ts: null },
      { metric: "deployment_frequency", status: "warn", message_ts: null },
      { metric: "lead_time", status: "critical", message_ts: null },
      { metric: "mttr", status: "warn", message_ts: "7.7" },
    ]);
    expect(expected.alertReclaim).toEqual([true, false, true]);
    expect(expected.alertsReleasedLater).toBe(1);
    expect(expected.alertAfter).toMatchObject({ status: "warn", sinceMs: LATER, messageTs: "8.8" });
    expect(expected.alertStatusesLater).toEqual([
      { metric: "availability", status: "warn" },
      { metric: "change_failure_rate", status: "warn" },
      { metric: "deployment_frequency", status: "warn" },
      { metric: "lead_time", status: "ok" },
      { metric: "mttr", status: "warn" },
    ]);
  });

  it("waits longer than any live claimer can hold a claim, including a replica that lost the lead", () => {
    // A Slack call on the Bolt client retries for about half an hour; the takeover bound is seconds.
    expect(ABANDONED_CLAIM_MS).toBeGreaterThanOrEqual(30 * 60_000 + takeoverBoundMs(DEFAULT_LEADER_TIMINGS));
  });
});

