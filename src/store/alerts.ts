import type { Scope } from "../domain/scope.js";
import type { Dialect } from "./sql/dialect.js";
import { all, get, run, type Sql } from "./sql/query.js";

export type AlertStatus = "ok" | "warn" | "critical";

/** One row of alert_state: the last known status of a metric threshold for a scope. */
export interface AlertState {
  readonly metric: string;
  readonly scope: Scope;
  readonly status: AlertStatus;
  readonly sinceMs: number;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly channel: string | null;
  /** The breach message; recoveries and reminders go in its thread. */
  readonly messageTs: string | null;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAtMs: number | null;
  readonly lastNotifiedAtMs: number | null;
}

interface Row {
  metric: string;
  scope_kind: "org" | "team" | "service";
  scope_id: string;
  status: AlertStatus;
  since_at: number;
  value: number | null;
  threshold: number | null;
  channel: string | null;
  message_ts: string | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  last_notified_at: number | null;
}

function toState(row: Row): AlertState {
  const scope: Scope = row.scope_kind === "org" ? { kind: "org", id: null } : { kind: row.scope_kind, id: row.scope_id };
  return {
    metric: row.metric,
    scope,
    status: row.status,
    sinceMs: row.since_at,
    value: row.value,
    threshold: row.threshold,
    channel: row.channel,
    messageTs: row.message_ts,
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAtMs: row.acknowledged_at,
    lastNotifiedAtMs: row.last_notified_at,
  };
}

const COLUMNS = `metric, scope_kind, scope_id, status, since_at, value, threshold, channel, message_ts, acknowledged_by, acknowledged_at, last_notified_at`;
const KEY = `metric = @metric AND scope_kind = @scopeKind AND scope_id = @scopeId`;
// The state a transition starts from, as its caller read it: another replica's (or an old
// leader's) transition, or an acknowledgement, since that read makes the compare-and-set fail.
const FROM = `status = @fromStatus AND since_at = @fromSinceAt AND last_notified_at IS NOT DISTINCT FROM @fromLastNotifiedAt
  AND acknowledged_at IS NOT DISTINCT FROM @fromAcknowledgedAt AND message_ts IS NOT DISTINCT FROM @fromMessageTs`;
const ASSIGN = `status = @status, since_at = @sinceAt, value = @value, threshold = @threshold, channel = @channel, message_ts = @messageTs,
  acknowledged_by = @acknowledgedBy, acknowledged_at = @acknowledgedAt, last_notified_at = @lastNotifiedAt`;
const FIELDS = `@metric, @scopeKind, @scopeId, @status, @sinceAt, @value, @threshold, @channel, @messageTs, @acknowledgedBy, @acknowledgedAt, @lastNotifiedAt`;

const keyParams = (metric: string, scope: Scope) => ({ metric, scopeKind: scope.kind, scopeId: scope.id ?? "" });

const stateParams = (state: AlertState) => ({
  ...keyParams(state.metric, state.scope),
  status: state.status,
  sinceAt: state.sinceMs,
  value: state.value,
  threshold: state.threshold,
  channel: state.channel,
  messageTs: state.messageTs,
  acknowledgedBy: state.acknowledgedBy,
  acknowledgedAt: state.acknowledgedAtMs,
  lastNotifiedAt: state.lastNotifiedAtMs,
});

const fromParams = (state: AlertState) => ({
  fromStatus: state.status,
  fromSinceAt: state.sinceMs,
  fromLastNotifiedAt: state.lastNotifiedAtMs,
  fromAcknowledgedAt: state.acknowledgedAtMs,
  fromMessageTs: state.messageTs,
});

const RANK: Record<AlertStatus, number> = { ok: 0, warn: 1, critical: 2 };

/**
 * A move to a worse status, with a channel and no message yet, claims that breach or escalation
 * message: the row names its claimer until `recordMessage` records where the message went, so the
 * claim of a claimer killed before posting can be given back (`releaseAbandoned`).
 */
const claimsMessage = (from: AlertState | undefined, to: AlertState): boolean => RANK[to.status] > RANK[from?.status ?? "ok"] && to.channel !== null && to.messageTs === null;

const sameKey = (a: AlertState, b: AlertState): boolean => a.metric === b.metric && a.scope.kind === b.scope.kind && (a.scope.id ?? "") === (b.scope.id ?? "");

/** `claimer` names this store instance on the breach and escalation messages it claims. */
export function alertOps(d: Dialect, claimer: string) {
  const byKey = `SELECT ${COLUMNS} FROM alert_state WHERE ${KEY}`;
  const byMessage = `SELECT ${COLUMNS} FROM alert_state WHERE message_ts = ?`;
  const breached = `SELECT ${COLUMNS} FROM alert_state WHERE status <> 'ok' ORDER BY ${d.textOrder("metric")}, ${d.textOrder("scope_kind")}, ${d.textOrder("scope_id")}`;
  const put = `INSERT INTO alert_state (${COLUMNS}) VALUES (${FIELDS})
     ON CONFLICT (metric, scope_kind, scope_id) DO UPDATE SET status = excluded.status, since_at = excluded.since_at,
       value = excluded.value, threshold = excluded.threshold, channel = excluded.channel, message_ts = excluded.message_ts,
       acknowledged_by = excluded.acknowledged_by, acknowledged_at = excluded.acknowledged_at, last_notified_at = excluded.last_notified_at, claimed_by = NULL`;
  const insertIfAbsent = `INSERT INTO alert_state (${COLUMNS}, claimed_by) VALUES (${FIELDS}, @claimedBy) ON CONFLICT (metric, scope_kind, scope_id) DO NOTHING`;
  const compareAndSet = `UPDATE alert_state SET ${ASSIGN}, claimed_by = @claimedBy WHERE ${KEY} AND ${FROM}`;
  const deleteIfUnchanged = `DELETE FROM alert_state WHERE ${KEY} AND ${FROM}`;
  const recordMessage = `UPDATE alert_state SET message_ts = @messageTs, claimed_by = NULL WHERE ${KEY} AND status = @fromStatus AND since_at = @fromSinceAt AND message_ts IS NULL`;
  const acknowledge = `UPDATE alert_state SET acknowledged_by = ?, acknowledged_at = ?
     WHERE metric = ? AND scope_kind = ? AND scope_id = ? AND status <> 'ok' AND acknowledged_by IS NULL`;
  // Back to ok, so that the next evaluation decides (and posts) the breach again if it still holds:
  // the state the claim moved from is not kept, and ok is what a breach starts from.
  const releaseAbandoned = `UPDATE alert_state SET status = 'ok', claimed_by = NULL
     WHERE claimed_by IS NOT NULL AND claimed_by <> ? AND message_ts IS NULL AND status <> 'ok' AND since_at < ?`;

  return {
    *get(metric: string, scope: Scope): Sql<AlertState | undefined> {
      const row = yield* get<Row>(byKey, keyParams(metric, scope));
      return row ? toState(row) : undefined;
    },
    *byMessageTs(ts: string): Sql<AlertState | undefined> {
      const row = yield* get<Row>(byMessage, [ts]);
      return row ? toState(row) : undefined;
    },
    *breached(): Sql<AlertState[]> {
      return (yield* all<Row>(breached)).map(toState);
    },
    *put(state: AlertState): Sql<void> {
      yield* run(put, stateParams(state));
    },
    /**
     * Move one alert from the state its caller read (`from`; undefined = no row) to `to`
     * (undefined = no row), only if nobody changed it since: true when THIS caller made the
     * transition. A job claims a breach, recovery or reminder with it before posting, so across
     * replicas (or an old leader still finishing its run) each is posted once; a failed post
     * transitions back.
     */
    transition(from: AlertState | undefined, to: AlertState | undefined): Sql<boolean> {
      if (from === undefined && to === undefined) throw new Error("alerts.transition needs a state to move from or to");
      if (from !== undefined && to !== undefined && !sameKey(from, to)) throw new Error(`alerts.transition from ${from.metric} to ${to.metric}: not the same alert`);
      return (function* () {
        if (to === undefined) return (yield* run(deleteIfUnchanged, { ...keyParams(from!.metric, from!.scope), ...fromParams(from!) })).changes === 1;
        const claimedBy = claimsMessage(from, to) ? claimer : null;
        if (from === undefined) return (yield* run(insertIfAbsent, { ...stateParams(to), claimedBy })).changes === 1;
        return (yield* run(compareAndSet, { ...stateParams(to), ...fromParams(from), claimedBy })).changes === 1;
      })();
    },
    /**
     * Where the message of a claimed breach or escalation (`claimed`, as transitioned to) went; an
     * acknowledgement in between does not lose it. False when the alert moved on meanwhile.
     */
    *recordMessage(claimed: AlertState, ts: string): Sql<boolean> {
      const params = { ...keyParams(claimed.metric, claimed.scope), messageTs: ts, fromStatus: claimed.status, fromSinceAt: claimed.sinceMs };
      return (yield* run(recordMessage, params)).changes === 1;
    },
    /**
     * Give back the breach and escalation messages other claimers claimed before `claimedBeforeMs`
     * and never posted (see src/domain/claims.ts for why such a claimer is dead): the alert goes
     * back to ok, so the next evaluation posts the breach if it still holds. Returns how many; this
     * store's own claims are never touched. (A recovery or reminder whose claimer died is not
     * given back: the alert is where it should be, only that one reply is missing, and nothing
     * it blocks: the next breach or reminder posts as usual.)
     */
    *releaseAbandoned(claimedBeforeMs: number): Sql<number> {
      return (yield* run(releaseAbandoned, [claimer, claimedBeforeMs])).changes;
    },
    /** First acknowledgement wins; false when already acknowledged or recovered. */
    *acknowledge(metric: string, scope: Scope, userId: string, nowMs: number): Sql<boolean> {
      return (yield* run(acknowledge, [userId, nowMs, metric, scope.kind, scope.id ?? ""])).changes === 1;
    },
  };
}
