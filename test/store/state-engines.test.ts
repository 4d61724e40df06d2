import { describe, expect, it } from "vitest";
import { DEFAULT_STORE_OPTIONS } from "../../src/store/index.js";
import { storeOps, type StoreOps } from "../../src/store/operations.js";
import type { AlertState } from "../../src/store/alerts.js";
import { isHotfixPr } from "../../src/sources/delivery-rules.js";
import type { Dialect } from "../../src/store/sql/dialect.js";
import { all, run, value, type Sql } from "../../src/store/sql/query.js";
import { postgresEngineOfFile, sqliteEngine, type PostgresEngine } from "../support/sql-engines.js";

// The app-state operations (alerts, digests, reviews, Slack settings, link confirmations, GitHub
// reads) on both engines (issue 19): one scenario run on SQLite and on PostgreSQL gives the same
// values, and each claim (digest week, alert transition, review reminder, confirmation) has
// exactly one winner, also between two transactions open at once on PostgreSQL.

const T0 = Date.parse("2026-03-02T10:00:00Z");
const H = 3_600_000;

interface Engine {
  readonly dialect: Dialect;
  readonly ops: StoreOps;
  /** One public write: its own transaction. */
  tx<T>(op: Sql<T>): Promise<T>;
}

/** The few records the operations read, written with plain SQL (ids fixed, so both engines agree). */
function* seed(): Sql<void> {
  yield* run(`INSERT INTO teams (id, name) VALUES ('payments', 'Payments'), ('growth', 'Growth')`);
  yield* run(`INSERT INTO services (id, name, team_id) VALUES ('pay-api', 'Pay API', 'payments'), ('web', 'Web', 'growth')`);
  yield* run(
    `INSERT INTO deployments (id, source, external_id, service_id, environment, status, finished_at, sha, url) VALUES
     (1, 'github', 'd1', 'pay-api', 'production', 'success', ?, 'aaaa1111aaaa', 'https://x/d1'),
     (2, 'github', 'd2', 'pay-api', 'production', 'success', ?, 'bbbb2222bbbb', NULL),
     (3, 'github', 'd3', 'pay-api', 'production', 'failure', ?, 'cccc3333cccc', NULL),
     (4, 'github', 'd4', 'pay-api', 'production', 'success', ?, 'bbbb2222bbbb', NULL)`,
    [T0 - 10 * H, T0 - 5 * H, T0 - 4 * H, T0 - 3 * H],
  );
  yield* run(
    `INSERT INTO changes (id, service_id, change_key, committed_at, pr_number, pr_labels, pr_head_branch, pr_title, pr_url, first_deployment_id, first_deployed_at) VALUES
     (1, 'pay-api', 'pr:7', ?, 7, '["bug"]', 'fix/checkout', 'Fix checkout', 'https://x/pr/7', 2, ?),
     (2, 'pay-api', 'pr:3', ?, 3, NULL, 'feature', 'Feature', NULL, 2, ?),
     (3, 'pay-api', 'sha:aaaa1111aaaa', ?, NULL, NULL, NULL, NULL, NULL, 1, ?)`,
    [T0 - 20 * H, T0 - 5 * H, T0 - 21 * H, T0 - 5 * H, T0 - 30 * H, T0 - 10 * H],
  );
  yield* run(`INSERT INTO deployment_changes (deployment_id, change_id, sha) VALUES (2, 1, 'bbbb2222bbbb'), (2, 2, 'bbbb0000bbbb'), (1, 3, 'aaaa1111aaaa')`);
  yield* run(
    `INSERT INTO incidents (id, source, external_id, service_id, title, severity, urgency, created_at, resolved_at, owner_email, linked_deployment_id, link_rule) VALUES
     (1, 'pagerduty', 'Q1', 'pay-api', 'Checkout errors', 'SEV1', 'high', ?, ?, 'ana@example.com', 2, 'heuristic'),
     (2, 'pagerduty', 'Q2', 'pay-api', 'Slow pages', 'sev2', NULL, ?, ?, NULL, NULL, NULL),
     (3, 'opsgenie', 'Q1', 'web', 'Same id, other source', 'SEV3', NULL, ?, NULL, NULL, NULL, NULL)`,
    [T0 - 4 * H, T0 - 2 * H, T0 - 3 * H, T0 - H, T0 - H],
  );
  yield* run(`UPDATE incidents SET verdict = 'unrelated', verdict_by = 'U1', verdict_at = ?, verdict_via = 'command' WHERE id = 2`, [T0 - H]);
  yield* run(
    `INSERT INTO annotations (source, external_id, at, text, service_id, team_id) VALUES
     ('slack', 'a1', ?, 'Freeze', NULL, NULL), ('slack', 'a2', ?, 'Pay launch', 'pay-api', NULL), ('slack', 'a3', ?, 'Growth only', NULL, 'growth')`,
    [T0 - 2 * H, T0 - 2 * H, T0 - H],
  );
  yield* run(`INSERT INTO webhook_deliveries (source, delivery_id, received_at) VALUES ('github', 'dlv-1', ?)`, [T0]);
}

const breach: AlertState = {
  metric: "change_failure_rate",
  scope: { kind: "team", id: "payments" },
  status: "warn",
  sinceMs: T0,
  value: 12.345678901234567,
  threshold: 10,
  channel: "C0PAY",
  messageTs: null,
  acknowledgedBy: null,
  acknowledgedAtMs: null,
  lastNotifiedAtMs: T0,
};

/** Every app-state operation, a public write at a time, and what each answered. */
async function scenario(e: Engine): Promise<Record<string, unknown>> {
  const { alerts, digests, reviews, slack, confirmations, github } = e.ops;
  const out: Record<string, unknown> = {};
  await e.tx(seed());

  // Alerts: a breach, its message, a reminder, an escalation claimed from a stale read, recovery.
  const team = breach.scope;
  out.breachClaims = [await e.tx(alerts.transition(undefined, breach)), await e.tx(alerts.transition(undefined, breach))];
  out.messageRecorded = await e.tx(alerts.recordMessage(breach, "111.222"));
  const posted = (await e.tx(alerts.get(breach.metric, team)))!;
  const reminded = { ...posted, lastNotifiedAtMs: T0 + 24 * H };
  out.reminderClaims = [await e.tx(alerts.transition(posted, reminded)), await e.tx(alerts.transition(posted, reminded))];
  out.acknowledged = [await e.tx(alerts.acknowledge(breach.metric, team, "U1", T0 + 25 * H)), await e.tx(alerts.acknowledge(breach.metric, team, "U2", T0 + 26 * H))];
  const escalated = { ...reminded, status: "critical" as const, sinceMs: T0 + 30 * H, messageTs: null, acknowledgedBy: null, acknowledgedAtMs: null };
  out.escalateFromStale = await e.tx(alerts.transition(reminded, escalated)); // acknowledged since that read
  const current = (await e.tx(alerts.get(breach.metric, team)))!;
  out.escalate = await e.tx(alerts.transition(current, escalated));
  await e.tx(alerts.put({ ...breach, metric: "mttr", scope: { kind: "org", id: null }, status: "critical", messageTs: "9.9" }));
  await e.tx(alerts.put({ ...breach, metric: "mttr", scope: { kind: "team", id: "team_b" } }));
  await e.tx(alerts.put({ ...breach, metric: "mttr", scope: { kind: "team", id: "team-c" } }));
  out.breached = await e.tx(alerts.breached());
  out.byMessage = await e.tx(alerts.byMessageTs("9.9"));
  const recovered = { ...escalated, status: "ok" as const, sinceMs: T0 + 40 * H, threshold: null };
  out.recoverClaims = [await e.tx(alerts.transition(escalated, recovered)), await e.tx(alerts.transition(escalated, recovered))];
  out.releasedFirstBreach = await e.tx(alerts.transition({ ...breach, metric: "mttr", scope: { kind: "team", id: "team-c" } }, undefined));
  out.afterRelease = await e.tx(alerts.get("mttr", { kind: "team", id: "team-c" }));
  out.alertRows = await e.tx(all(`SELECT * FROM alert_state ORDER BY ${e.dialect.textOrder("metric")}, ${e.dialect.textOrder("scope_id")}`));

  // Digests: one claim per team and week; a completed week is never released.
  out.digestClaims = [await e.tx(digests.claim("payments", "2026-03-02", T0)), await e.tx(digests.claim("payments", "2026-03-02", T0 + 1))];
  await e.tx(digests.complete("payments", "2026-03-02", "C0PAY", "5.5"));
  await e.tx(digests.release("payments", "2026-03-02"));
  await e.tx(digests.claim("payments", "2026-02-23", T0));
  await e.tx(digests.release("payments", "2026-02-23"));
  await e.tx(digests.claim("payments", "2026-02-16", T0));
  out.digest = await e.tx(digests.get("payments", "2026-03-02"));
  out.digestWeeks = await e.tx(digests.forTeam("payments"));
  out.chartAnnotations = await e.tx(digests.chartAnnotations("payments", T0 - 3 * H, T0));

  // Reviews: opened once, reminders claimed once, closed once, and the completion count.
  out.candidates = await e.tx(reviews.candidates(T0 - 24 * H));
  const id = await e.tx(reviews.open({ incidentId: 1, teamId: "payments", ownerSlackId: "U9", ownerEmail: null, openedAtMs: T0, dueAtMs: T0 + 48 * H }));
  out.reviewOpened = [id, await e.tx(reviews.open({ incidentId: 1, teamId: "payments", ownerSlackId: "U9", ownerEmail: null, openedAtMs: T0, dueAtMs: T0 + 48 * H }))];
  out.reminderClaimsOfReview = [await e.tx(reviews.recordReminder(id!, "due", T0 + H, "U9", null)), await e.tx(reviews.recordReminder(id!, "due", T0 + H, "U9", null))];
  await e.tx(reviews.completeReminder(id!, "due", "D9", "7.7"));
  await e.tx(reviews.forgetReminder(id!, "due")); // already sent: stays
  await e.tx(reviews.recordReminder(id!, "overdue:1", T0 + H, "U9", null));
  await e.tx(reviews.recordReminder(id!, "Opened", T0 + H, "U9", null));
  await e.tx(reviews.recordReminder(id!, "before_due", T0 + H, "U9", null));
  await e.tx(reviews.forgetReminder(id!, "before_due")); // never sent: released
  out.reminders = await e.tx(reviews.reminders(id!));
  out.snoozed = await e.tx(reviews.snooze(id!, T0 + 5 * H));
  out.escalated = [await e.tx(reviews.markEscalated(id!, T0 + 6 * H)), await e.tx(reviews.markEscalated(id!, T0 + 7 * H))];
  out.listOpen = [await e.tx(reviews.listOpen()), await e.tx(reviews.listOpen("growth"))];
  out.completionBefore = await e.tx(reviews.completion(["sev1", "SEV2"], T0 - 24 * H, T0));
  out.done = [await e.tx(reviews.markDone(id!, "https://doc", T0 + 8 * H, "U1")), await e.tx(reviews.markNotNeeded(id!, "dup", T0 + 9 * H))];
  out.review = await e.tx(reviews.get(id!));
  out.completion = [await e.tx(reviews.completion(["sev1", "SEV2"], T0 - 24 * H, T0)), await e.tx(reviews.completion(["SEV1"], T0 - 24 * H, T0, "growth"))];

  // Slack settings.
  for (const scopeId of ["team_b", "team-c", "Team", null]) {
    await e.tx(slack.setThreshold({ metric: "mttr", scope_kind: scopeId === null ? "org" : "team", scope_id: scopeId, warn: 1.1, critical: 2.2000000000000002, set_by: "U1", set_at: T0 }));
  }
  await e.tx(slack.setThreshold({ metric: "mttr", scope_kind: "org", scope_id: null, warn: 3, critical: 4, set_by: "U2", set_at: T0 + 1 }));
  out.thresholds = await e.tx(slack.thresholds());
  await e.tx(slack.subscribe({ team_id: "team_b", channel: "C1", set_by: "U1", set_at: T0 }));
  await e.tx(slack.subscribe({ team_id: "team-c", channel: "C2", set_by: "U1", set_at: T0 }));
  await e.tx(slack.subscribe({ team_id: "team_b", channel: "C3", set_by: "U2", set_at: T0 + 1 }));
  out.subscriptions = await e.tx(slack.subscriptions());
  await e.tx(slack.recordHomeOpened("U1", T0));
  await e.tx(slack.recordHomeOpened("U2", T0 + 1, "payments"));
  await e.tx(slack.recordHomeOpened("U3", T0 + 2, null));
  await e.tx(slack.recordHomeOpened("U2", T0 + 3));
  out.homes = [await e.tx(slack.homeTeam("U1")), await e.tx(slack.homeTeam("U2")), await e.tx(slack.homeTeam("U3")), await e.tx(slack.homeTeam("nobody"))];
  out.recentHomes = await e.tx(slack.recentHomeViewers(T0 + 1, 10));
  out.findIncidents = [await e.tx(slack.findIncidents("Q1")), await e.tx(slack.findIncidents("#2")), await e.tx(slack.findIncidents("#99"))];
  out.findDeployments = [await e.tx(slack.findDeployments("d1")), await e.tx(slack.findDeployments("BBBB2222")), await e.tx(slack.findDeployments("cccc3333"))];
  out.verdicts = await e.tx(slack.incidentVerdicts(5));

  // Link confirmations: one message and one reminder per incident, the first answer wins.
  out.confirmationCandidates = await e.tx(confirmations.candidates(T0 - 24 * H));
  out.confirmationClaims = [await e.tx(confirmations.claim(1, 2, "U9", T0)), await e.tx(confirmations.claim(1, 2, "U9", T0 + 1))];
  await e.tx(confirmations.recordPosted(1, "D9", "8.8"));
  out.confirmationCandidate = [await e.tx(confirmations.candidate(1)), await e.tx(confirmations.candidate(2))];
  out.dueReminders = await e.tx(confirmations.dueReminders(T0 + H));
  out.reminderClaimsOfConfirmation = [await e.tx(confirmations.claimReminder(1, T0 + H)), await e.tx(confirmations.claimReminder(1, T0 + H))];
  await e.tx(confirmations.unclaimReminder(1));
  out.answers = [await e.tx(confirmations.recordAnswer(1, "U9", T0 + 2 * H)), await e.tx(confirmations.recordAnswer(1, "U8", T0 + 3 * H))];
  out.confirmation = await e.tx(confirmations.get(1));
  out.pullRequests = await e.tx(confirmations.pullRequests(2));
  out.recentDeployments = await e.tx(confirmations.recentDeployments("pay-api", T0, 2));
  out.confirmationDeployment = [await e.tx(confirmations.deployment(4)), await e.tx(confirmations.deployment(3))];
  await e.tx(confirmations.claim(2, 2, null, T0));
  await e.tx(confirmations.forget(2));
  out.forgotten = await e.tx(confirmations.get(2));

  // GitHub: a label added after shipping makes deployment 2 a hotfix, once; derived rework follows.
  out.github = {
    deployment: await e.tx(github.deployment("github", "d2")),
    previous: await e.tx(github.previousSuccess("pay-api", "production", T0 - 3 * H, "d4")),
    shippedBefore: [await e.tx(github.shaShippedBefore("pay-api", "production", "bbbb2222bbbb", T0 - 3 * H)), await e.tx(github.shaShippedBefore("pay-api", "production", "bbbb2222bbbb", T0 - 5 * H))],
    delivery: [await e.tx(github.deliverySeen("github", "dlv-1")), await e.tx(github.deliverySeen("github", "dlv-2"))],
    changeOfSha: await e.tx(github.changeOfSha("pay-api", "bbbb2222bbbb")),
    shipped: await e.tx(github.prsFirstShippedBy(2)),
  };
  const info = { labels: ["bug", "hotfix"], title: "Fix checkout", headBranch: "fix/checkout" };
  out.applied = [
    await e.tx(github.applyPullRequest(["web", "pay-api"], 7, info, isHotfixPr)),
    await e.tx(github.applyPullRequest(["web", "pay-api"], 7, info, isHotfixPr)),
    await e.tx(github.applyPullRequest(["web"], 7, info, isHotfixPr)),
  ];
  out.hotfixRows = await e.tx(all(`SELECT id, is_hotfix, is_rework FROM deployments ORDER BY id`));
  out.unflagged = [await e.tx(github.setHotfix(2, false)), await e.tx(github.setHotfix(2, false))];
  out.reworkAfter = await e.tx(value(`SELECT is_rework FROM deployments WHERE id = 2`));
  return out;
}

function sqlite(): Engine {
  const s = sqliteEngine();
  return { dialect: s.dialect, ops: storeOps(s.dialect, DEFAULT_STORE_OPTIONS), tx: (op) => Promise.resolve(s.runner.transaction(op)) };
}

function postgres(p: PostgresEngine): Engine {
  return { dialect: p.dialect, ops: storeOps(p.dialect, DEFAULT_STORE_OPTIONS), tx: (op) => p.runner.transaction(op) };
}

describe("app-state operations on both engines", () => {
  const pgOf = postgresEngineOfFile();

  it("answer the same on SQLite and PostgreSQL, each claim won once", async () => {
    const expected = await scenario(sqlite());
    await pgOf().truncate();
    const got = await scenario(postgres(pgOf()));
    expect(got).toEqual(expected);

    // And the answers are the right ones (not only the same).
    expect(expected.breachClaims).toEqual([true, false]);
    expect(expected.messageRecorded).toBe(true);
    expect(expected.reminderClaims).toEqual([true, false]);
    expect(expected.acknowledged).toEqual([true, false]);
    expect(expected.escalateFromStale).toBe(false);
    expect(expected.escalate).toBe(true);
    expect(expected.recoverClaims).toEqual([true, false]);
    expect(expected.releasedFirstBreach).toBe(true);
    expect(expected.afterRelease).toBeUndefined();
    expect((expected.breached as AlertState[]).map((a) => `${a.metric}:${a.scope.kind}:${a.scope.id}`)).toEqual([
      "change_failure_rate:team:payments",
      "mttr:org:null",
      "mttr:team:team-c",
      "mttr:team:team_b",
    ]);
    expect((expected.byMessage as AlertState).scope).toEqual({ kind: "org", id: null });
    expect(expected.alertRows).toContainEqual(expect.objectContaining({ metric: "change_failure_rate", status: "ok", value: 12.345678901234567, message_ts: null, acknowledged_by: null }));
    expect(expected.digestClaims).toEqual([true, false]);
    expect(expected.digest).toEqual({ team_id: "payments", week_start: "2026-03-02", posted_at: T0, channel: "C0PAY", ts: "5.5" });
    expect((expected.digestWeeks as { week_start: string }[]).map((w) => w.week_start)).toEqual(["2026-02-16", "2026-03-02"]);
    expect(expected.chartAnnotations).toEqual([
      { atMs: T0 - 2 * H, text: "Freeze", service: null },
      { atMs: T0 - 2 * H, text: "Pay launch", service: "pay-api" },
    ]);
    expect((expected.candidates as { incident_id: number }[]).map((c) => c.incident_id)).toEqual([1, 2]);
    expect(expected.reviewOpened).toEqual([1, undefined]);
    expect(expected.reminderClaimsOfReview).toEqual([true, false]);
    expect((expected.reminders as { kind: string; ts: string | null }[]).map((r) => [r.kind, r.ts])).toEqual([
      ["Opened", null], // byte order: upper case first
      ["due", "7.7"],
      ["overdue:1", null],
    ]);
    expect(expected.escalated).toEqual([true, false]);
    expect(expected.completionBefore).toEqual({ incidents: 2, done: 0 });
    expect(expected.done).toEqual([true, false]);
    expect(expected.review).toMatchObject({ id: 1, status: "done", doc_url: "https://doc", closed_by: "U1", team_id: "payments", deployment_sha: "bbbb2222bbbb", escalated_at: T0 + 6 * H });
    expect(expected.completion).toEqual([{ incidents: 2, done: 1 }, { incidents: 0, done: 0 }]);
    expect((expected.thresholds as { scope_id: string; warn: number; critical: number }[]).map((t) => [t.scope_id, t.warn, t.critical])).toEqual([
      ["", 3, 4],
      ["Team", 1.1, 2.2000000000000002],
      ["team-c", 1.1, 2.2000000000000002],
      ["team_b", 1.1, 2.2000000000000002],
    ]);
    expect(expected.subscriptions).toEqual([
      { team_id: "team-c", channel: "C2", set_by: "U1", set_at: T0 },
      { team_id: "team_b", channel: "C3", set_by: "U2", set_at: T0 + 1 },
    ]);
    expect(expected.homes).toEqual([null, "payments", null, undefined]);
    expect(expected.recentHomes).toEqual([
      { userId: "U2", teamId: "payments" },
      { userId: "U3", teamId: null },
    ]);
    const [byExternal, byRow, missing] = expected.findIncidents as { id: number }[][];
    expect([byExternal!.map((i) => i.id), byRow!.map((i) => i.id), missing]).toEqual([[3, 1], [2], []]);
    const [d1, bySha, failed] = expected.findDeployments as { id: number }[][];
    expect([d1!.map((d) => d.id), bySha!.map((d) => d.id), failed]).toEqual([[1], [2, 4], []]);
    expect(expected.verdicts).toEqual({
      rows: [{ external_id: "Q2", title: "Slow pages", verdict: "unrelated", deployment_external_id: null, verdict_by: "U1", verdict_at: T0 - H, verdict_via: "command" }],
      total: 1,
    });
    expect((expected.confirmationCandidates as { incident_id: number }[]).map((c) => c.incident_id)).toEqual([1]);
    expect(expected.confirmationClaims).toEqual([true, false]);
    expect(expected.reminderClaimsOfConfirmation).toEqual([true, false]);
    expect(expected.answers).toEqual([true, false]);
    expect(expected.confirmation).toMatchObject({ incident_id: 1, channel: "D9", ts: "8.8", reminded_at: null, answered_by: "U9" });
    expect(expected.pullRequests).toEqual([
      { number: 3, title: "Feature", url: null },
      { number: 7, title: "Fix checkout", url: "https://x/pr/7" },
    ]);
    expect((expected.recentDeployments as { id: number }[]).map((d) => d.id)).toEqual([4, 2]);
    expect(expected.forgotten).toBeUndefined();
    expect(expected.github).toMatchObject({
      previous: { external_id: "d2" },
      shippedBefore: [true, false],
      delivery: [true, false],
      changeOfSha: { pr_number: 7, committed_at: T0 - 20 * H },
      shipped: [
        { labels: ["bug"], headBranch: "fix/checkout" },
        { labels: [], headBranch: "feature" },
      ],
    });
    expect(expected.applied).toEqual([
      { written: 1, known: true },
      { written: 0, known: true },
      { written: 0, known: false },
    ]);
    expect(expected.hotfixRows).toContainEqual({ id: 2, is_hotfix: 1, is_rework: 1 });
    expect(expected.unflagged).toEqual([true, false]);
    expect(expected.reworkAfter).toBe(0);
  });

  it("refuses an alert transition that names no state, or two different alerts", () => {
    const { alerts } = sqlite().ops;
    expect(() => alerts.transition(undefined, undefined)).toThrow(/needs a state to move from or to/);
    expect(() => alerts.transition(breach, { ...breach, scope: { kind: "org", id: null } })).toThrow(/not the same alert/);
  });

  it("lets exactly one of two transactions open at once win each claim (PostgreSQL)", async () => {
    await pgOf().truncate();
    const e = postgres(pgOf());
    await e.tx(seed());
    const id = (await e.tx(e.ops.reviews.open({ incidentId: 1, teamId: null, ownerSlackId: null, ownerEmail: null, openedAtMs: T0, dueAtMs: T0 + H })))!;
    // Each claim holds its transaction open a moment after claiming, so the other's claim runs
    // while the first is still uncommitted (and waits for it, then finds the claim taken).
    const held = <T>(op: Sql<T>) =>
      e.tx(
        (function* () {
          const won = yield* op;
          yield* run(`SELECT pg_sleep(0.2)`);
          return won;
        })(),
      );
    const race = (make: () => Sql<boolean>) => Promise.all([held(make()), held(make())]);
    const winners = (results: boolean[]) => results.filter(Boolean).length;

    expect(winners(await race(() => e.ops.digests.claim("payments", "2026-03-02", T0)))).toBe(1);
    expect(winners(await race(() => e.ops.alerts.transition(undefined, breach)))).toBe(1);
    const stored = (await e.tx(e.ops.alerts.get(breach.metric, breach.scope)))!;
    expect(winners(await race(() => e.ops.alerts.transition(stored, { ...stored, status: "ok", sinceMs: T0 + H })))).toBe(1);
    expect(winners(await race(() => e.ops.reviews.recordReminder(id, "due", T0, null, null)))).toBe(1);
    expect(winners(await race(() => e.ops.confirmations.claim(1, 2, null, T0)))).toBe(1);
    expect(winners(await race(() => e.ops.confirmations.claimReminder(1, T0)))).toBe(1);
    expect(await e.tx(e.ops.digests.forTeam("payments"))).toHaveLength(1);
    expect(await e.tx(e.ops.reviews.reminders(id))).toHaveLength(1);
  });
});
