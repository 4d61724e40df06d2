import type { MetricId } from "../domain/metric-ids.js";
import type { Scope } from "../domain/scope.js";
import type { Dialect } from "./sql/dialect.js";
import { all, get, run, value, type Sql } from "./sql/query.js";

// Settings changed from Slack by admins (thresholds, team channels), App Home views, and the
// look-ups `/kpi link` needs. Slack settings win over the YAML file (see src/slack/settings.ts).

export interface StoredThreshold {
  metric: MetricId;
  scope_kind: Scope["kind"];
  scope_id: string;
  warn: number;
  critical: number;
  set_by: string;
  set_at: number;
}

export interface StoredSubscription {
  team_id: string;
  channel: string;
  set_by: string;
  set_at: number;
}

export interface IncidentRef {
  id: number;
  source: string;
  external_id: string;
  title: string;
  service_id: string | null;
  created_at: number;
  linked_deployment_id: number | null;
  link_rule: string | null;
}

/** A person's verdict on an incident (`/kpi config`'s audit of manual links). */
export interface IncidentVerdictRow {
  external_id: string;
  title: string;
  verdict: "deployment" | "unrelated";
  deployment_external_id: string | null;
  verdict_by: string | null;
  verdict_at: number | null;
  verdict_via: "command" | "confirmation" | null;
}

export interface DeploymentRef {
  id: number;
  source: string;
  external_id: string;
  service_id: string;
  finished_at: number;
  sha: string | null;
}

export function slackSettingsOps(d: Dialect) {
  // Counts this process's changes (the cached effective config rebuilds when it moves); a change
  // made by another replica is not counted.
  let revision = 0;
  const thresholds = `SELECT metric, scope_kind, scope_id, warn, critical, set_by, set_at FROM slack_thresholds
     ORDER BY ${d.textOrder("metric")}, ${d.textOrder("scope_kind")}, ${d.textOrder("scope_id")}`;
  const upsertThreshold = `INSERT INTO slack_thresholds (metric, scope_kind, scope_id, warn, critical, set_by, set_at)
     VALUES (@metric, @scope_kind, @scope_id, @warn, @critical, @set_by, @set_at)
     ON CONFLICT (metric, scope_kind, scope_id) DO UPDATE SET warn = excluded.warn, critical = excluded.critical,
       set_by = excluded.set_by, set_at = excluded.set_at`;
  const subscriptions = `SELECT team_id, channel, set_by, set_at FROM slack_subscriptions ORDER BY ${d.textOrder("team_id")}`;
  const upsertSubscription = `INSERT INTO slack_subscriptions (team_id, channel, set_by, set_at) VALUES (@team_id, @channel, @set_by, @set_at)
     ON CONFLICT (team_id) DO UPDATE SET channel = excluded.channel, set_by = excluded.set_by, set_at = excluded.set_at`;
  const homeTeam = `SELECT team_id FROM slack_home_views WHERE user_id = ?`;
  const saveHome = `INSERT INTO slack_home_views (user_id, team_id, opened_at) VALUES (?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET team_id = excluded.team_id, opened_at = excluded.opened_at`;
  const touchHome = `INSERT INTO slack_home_views (user_id, opened_at) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET opened_at = excluded.opened_at`;
  const recentHomes = `SELECT user_id, team_id FROM slack_home_views WHERE opened_at >= ? ORDER BY opened_at DESC LIMIT ?`;
  const incidentColumns = `id, source, external_id, title, service_id, created_at, linked_deployment_id, link_rule`;
  const incidentByExternal = `SELECT ${incidentColumns} FROM incidents WHERE external_id = ? ORDER BY created_at DESC LIMIT 2`;
  const incidentById = `SELECT ${incidentColumns} FROM incidents WHERE id = ?`;
  const deploymentColumns = `id, source, external_id, service_id, finished_at, sha`;
  const deploymentByExternal = `SELECT ${deploymentColumns} FROM deployments WHERE external_id = ? AND status = 'success' ORDER BY finished_at DESC LIMIT 2`;
  // SQLite's LIKE ignores ASCII case and PostgreSQL's does not: both match the lower-cased sha
  // against the lower-cased prefix (a scan either way: the sha index leads with the service).
  const deploymentBySha = `SELECT ${deploymentColumns} FROM deployments WHERE lower(sha) LIKE CAST(? AS text) || '%' AND status = 'success' ORDER BY finished_at LIMIT 2`;
  const verdicts = `SELECT i.external_id, i.title, i.verdict, d.external_id AS deployment_external_id, i.verdict_by, i.verdict_at, i.verdict_via
     FROM incidents i LEFT JOIN deployments d ON d.id = i.verdict_deployment_id
     WHERE i.verdict IS NOT NULL ORDER BY i.verdict_at DESC NULLS LAST, i.id DESC LIMIT ?`;
  const verdictCount = `SELECT count(*) FROM incidents WHERE verdict IS NOT NULL`;

  return {
    /** People's verdicts on incident links, newest first, and how many there are in all. */
    *incidentVerdicts(limit: number): Sql<{ rows: IncidentVerdictRow[]; total: number }> {
      const rows = yield* all<IncidentVerdictRow>(verdicts, [limit]);
      return { rows, total: (yield* value<number>(verdictCount)) ?? 0 };
    },
    /** Bumped on every change, so a cached effective config knows when to rebuild. */
    revision: (): number => revision,
    *thresholds(): Sql<StoredThreshold[]> {
      return yield* all<StoredThreshold>(thresholds);
    },
    *setThreshold(t: Omit<StoredThreshold, "scope_id"> & { scope_id: string | null }): Sql<void> {
      const { metric, scope_kind, warn, critical, set_by, set_at } = t;
      yield* run(upsertThreshold, { metric, scope_kind, scope_id: t.scope_id ?? "", warn, critical, set_by, set_at });
      revision++;
    },
    *subscriptions(): Sql<StoredSubscription[]> {
      return yield* all<StoredSubscription>(subscriptions);
    },
    *subscribe(s: StoredSubscription): Sql<void> {
      const { team_id, channel, set_by, set_at } = s;
      yield* run(upsertSubscription, { team_id, channel, set_by, set_at });
      revision++;
    },
    /** The team a user picked on the App Home; null is the organisation, undefined never picked. */
    *homeTeam(userId: string): Sql<string | null | undefined> {
      const team = yield* value<string>(homeTeam, [userId]);
      return team === undefined ? undefined : team === "" ? null : team;
    },
    *recordHomeOpened(userId: string, atMs: number, teamId?: string | null): Sql<void> {
      if (teamId === undefined) yield* run(touchHome, [userId, atMs]);
      else yield* run(saveHome, [userId, teamId ?? "", atMs]);
    },
    /** Users who opened the App Home since `sinceMs`, most recent first (Home refresh after a sync). */
    *recentHomeViewers(sinceMs: number, limit: number): Sql<{ userId: string; teamId: string | null }[]> {
      const rows = yield* all<{ user_id: string; team_id: string }>(recentHomes, [sinceMs, limit]);
      return rows.map((r) => ({ userId: r.user_id, teamId: r.team_id === "" ? null : r.team_id }));
    },
    /** Incidents named by a source id (e.g. PagerDuty's Q1ABC) or by `#<row id>`. */
    *findIncidents(ref: string): Sql<IncidentRef[]> {
      const rowId = /^#(\d+)$/.exec(ref);
      if (rowId) return [yield* get<IncidentRef>(incidentById, [Number(rowId[1])])].filter((r): r is IncidentRef => r !== undefined);
      return yield* all<IncidentRef>(incidentByExternal, [ref]);
    },
    /** Successful deployments named by a source id or a commit sha prefix (7+ hex digits). */
    *findDeployments(ref: string): Sql<DeploymentRef[]> {
      const byId = yield* all<DeploymentRef>(deploymentByExternal, [ref]);
      if (byId.length > 0 || !/^[0-9a-f]{7,40}$/i.test(ref)) return byId;
      return yield* all<DeploymentRef>(deploymentBySha, [ref.toLowerCase()]);
    },
  };
}
