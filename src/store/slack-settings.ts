import type { MetricId } from "../domain/metric-ids.js";
import type { Scope } from "../domain/scope.js";
import type { Db } from "./db.js";

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

export function slackSettingsStore(db: Db) {
  let revision = 0;
  const thresholds = db.prepare<[], StoredThreshold>(`SELECT * FROM slack_thresholds ORDER BY metric, scope_kind, scope_id`);
  const upsertThreshold = db.prepare(
    `INSERT INTO slack_thresholds (metric, scope_kind, scope_id, warn, critical, set_by, set_at)
     VALUES (@metric, @scope_kind, @scope_id, @warn, @critical, @set_by, @set_at)
     ON CONFLICT (metric, scope_kind, scope_id) DO UPDATE SET warn = excluded.warn, critical = excluded.critical,
       set_by = excluded.set_by, set_at = excluded.set_at`,
  );
  const subscriptions = db.prepare<[], StoredSubscription>(`SELECT * FROM slack_subscriptions ORDER BY team_id`);
  const upsertSubscription = db.prepare(
    `INSERT INTO slack_subscriptions (team_id, channel, set_by, set_at) VALUES (@team_id, @channel, @set_by, @set_at)
     ON CONFLICT (team_id) DO UPDATE SET channel = excluded.channel, set_by = excluded.set_by, set_at = excluded.set_at`,
  );
  const homeTeam = db.prepare<[string], { team_id: string }>(`SELECT team_id FROM slack_home_views WHERE user_id = ?`);
  const saveHome = db.prepare<[string, string, number]>(
    `INSERT INTO slack_home_views (user_id, team_id, opened_at) VALUES (?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET team_id = excluded.team_id, opened_at = excluded.opened_at`,
  );
  const touchHome = db.prepare<[string, number]>(
    `INSERT INTO slack_home_views (user_id, opened_at) VALUES (?, ?)
     ON CONFLICT (user_id) DO UPDATE SET opened_at = excluded.opened_at`,
  );
  const recentHomes = db.prepare<[number, number], { user_id: string; team_id: string }>(
    `SELECT user_id, team_id FROM slack_home_views WHERE opened_at >= ? ORDER BY opened_at DESC LIMIT ?`,
  );
  const incidentColumns = `id, source, external_id, title, service_id, created_at, linked_deployment_id, link_rule`;
  const incidentByExternal = db.prepare<[string], IncidentRef>(
    `SELECT ${incidentColumns} FROM incidents WHERE external_id = ? ORDER BY created_at DESC LIMIT 2`,
  );
  const incidentById = db.prepare<[number], IncidentRef>(`SELECT ${incidentColumns} FROM incidents WHERE id = ?`);
  const deploymentColumns = `id, source, external_id, service_id, finished_at, sha`;
  const deploymentByExternal = db.prepare<[string], DeploymentRef>(
    `SELECT ${deploymentColumns} FROM deployments WHERE external_id = ? AND status = 'success' ORDER BY finished_at DESC LIMIT 2`,
  );
  const deploymentBySha = db.prepare<[string], DeploymentRef>(
    `SELECT ${deploymentColumns} FROM deployments WHERE sha LIKE ? || '%' AND status = 'success' ORDER BY finished_at LIMIT 2`,
  );

  const verdicts = db.prepare<[number], IncidentVerdictRow>(
    `SELECT i.external_id, i.title, i.verdict, d.external_id AS deployment_external_id, i.verdict_by, i.verdict_at, i.verdict_via
     FROM incidents i LEFT JOIN deployments d ON d.id = i.verdict_deployment_id
     WHERE i.verdict IS NOT NULL ORDER BY i.verdict_at DESC, i.id DESC LIMIT ?`,
  );
  const verdictCount = db.prepare<[], number>(`SELECT count(*) FROM incidents WHERE verdict IS NOT NULL`).pluck();

  return {
    /** People's verdicts on incident links, newest first, and how many there are in all. */
    incidentVerdicts(limit: number): { rows: IncidentVerdictRow[]; total: number } {
      return { rows: verdicts.all(limit), total: verdictCount.get() ?? 0 };
    },
    /** Bumped on every change, so a cached effective config knows when to rebuild. */
    revision: () => revision,
    thresholds: (): StoredThreshold[] => thresholds.all(),
    setThreshold(t: Omit<StoredThreshold, "scope_id"> & { scope_id: string | null }): void {
      upsertThreshold.run({ ...t, scope_id: t.scope_id ?? "" });
      revision++;
    },
    subscriptions: (): StoredSubscription[] => subscriptions.all(),
    subscribe(s: StoredSubscription): void {
      upsertSubscription.run(s);
      revision++;
    },
    /** The team a user picked on the App Home; null is the organisation, undefined never picked. */
    homeTeam(userId: string): string | null | undefined {
      const row = homeTeam.get(userId);
      return row === undefined ? undefined : row.team_id === "" ? null : row.team_id;
    },
    recordHomeOpened(userId: string, atMs: number, teamId?: string | null): void {
      if (teamId === undefined) touchHome.run(userId, atMs);
      else saveHome.run(userId, teamId ?? "", atMs);
    },
    /** Users who opened the App Home since `sinceMs`, most recent first (Home refresh after a sync). */
    recentHomeViewers(sinceMs: number, limit: number): { userId: string; teamId: string | null }[] {
      return recentHomes.all(sinceMs, limit).map((r) => ({ userId: r.user_id, teamId: r.team_id === "" ? null : r.team_id }));
    },
    /** Incidents named by a source id (e.g. PagerDuty's Q1ABC) or by `#<row id>`. */
    findIncidents(ref: string): IncidentRef[] {
      const rowId = /^#(\d+)$/.exec(ref);
      if (rowId) return [incidentById.get(Number(rowId[1]))].filter((r): r is IncidentRef => r !== undefined);
      return incidentByExternal.all(ref);
    },
    /** Successful deployments named by a source id or a commit sha prefix (7+ hex digits). */
    findDeployments(ref: string): DeploymentRef[] {
      const byId = deploymentByExternal.all(ref);
      if (byId.length > 0 || !/^[0-9a-f]{7,40}$/i.test(ref)) return byId;
      return deploymentBySha.all(ref.toLowerCase());
    },
  };
}

