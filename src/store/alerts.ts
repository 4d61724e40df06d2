import type { Scope } from "../domain/scope.js";
import type { Db } from "./db.js";

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

export function alertStore(db: Db) {
  const get = db.prepare<[string, string, string], Row>(`SELECT ${COLUMNS} FROM alert_state WHERE metric = ? AND scope_kind = ? AND scope_id = ?`);
  const byMessage = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM alert_state WHERE message_ts = ?`);
  const breached = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM alert_state WHERE status != 'ok' ORDER BY metric, scope_kind, scope_id`);
  const put = db.prepare(
    `INSERT INTO alert_state (${COLUMNS})
     VALUES (@metric, @scopeKind, @scopeId, @status, @sinceAt, @value, @threshold, @channel, @messageTs, @acknowledgedBy, @acknowledgedAt, @lastNotifiedAt)
     ON CONFLICT (metric, scope_kind, scope_id) DO UPDATE SET status = excluded.status, since_at = excluded.since_at,
       value = excluded.value, threshold = excluded.threshold, channel = excluded.channel, message_ts = excluded.message_ts,
       acknowledged_by = excluded.acknowledged_by, acknowledged_at = excluded.acknowledged_at, last_notified_at = excluded.last_notified_at`,
  );
  const acknowledge = db.prepare<[string, number, string, string, string]>(
    `UPDATE alert_state SET acknowledged_by = ?, acknowledged_at = ?
     WHERE metric = ? AND scope_kind = ? AND scope_id = ? AND status != 'ok' AND acknowledged_by IS NULL`,
  );

  return {
    get(metric: string, scope: Scope): AlertState | undefined {
      const row = get.get(metric, scope.kind, scope.id ?? "");
      return row ? toState(row) : undefined;
    },
    byMessageTs(ts: string): AlertState | undefined {
      const row = byMessage.get(ts);
      return row ? toState(row) : undefined;
    },
    breached: (): AlertState[] => breached.all().map(toState),
    put(state: AlertState): void {
      put.run({
        metric: state.metric,
        scopeKind: state.scope.kind,
        scopeId: state.scope.id ?? "",
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
    },
    /** First acknowledgement wins; false when already acknowledged or recovered. */
    acknowledge(metric: string, scope: Scope, userId: string, nowMs: number): boolean {
      return acknowledge.run(userId, nowMs, metric, scope.kind, scope.id ?? "").changes === 1;
    },
  };
}
