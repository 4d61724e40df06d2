import type { Db } from "./db.js";

export type LinkRule = "explicit" | "rollback" | "heuristic" | "manual";

interface IncidentToLink {
  id: number;
  service_id: string | null;
  created_at: number;
  resolved_at: number | null;
  deployment_ref: string | null;
  linked_deployment_id: number | null;
  link_rule: LinkRule | null;
}

interface Link {
  deploymentId: number | null;
  rule: LinkRule | null;
}

/**
 * Links incidents to the deployment that caused them, in the order METRICS.md gives:
 * 1. explicit: the incident names a deployment id or a commit sha (deployment_ref);
 * 2. rollback: the service's last deployment before the incident was later rolled back;
 * 3. heuristic: the service's last deployment before the incident finished within the attribution
 *    window (default 24 h) — "before the service's next deployment" holds because it is the last one.
 * A link set by a person (`/kpi link`, rule "manual") is never overwritten.
 */
export function linkStore(db: Db, options: { productionEnvironment: string; attributionWindowMs: number }) {
  const env = options.productionEnvironment;
  const incidentsIn = db.prepare<[number, number], IncidentToLink>(
    `SELECT id, service_id, created_at, resolved_at, deployment_ref, linked_deployment_id, link_rule
     FROM incidents WHERE created_at >= ? AND created_at < ? AND (link_rule IS NULL OR link_rule <> 'manual')`,
  );
  const incidentById = db.prepare<[number], IncidentToLink>(
    `SELECT id, service_id, created_at, resolved_at, deployment_ref, linked_deployment_id, link_rule FROM incidents WHERE id = ?`,
  );
  const byExternalId = db.prepare<{ ref: string; service: string | null; env: string }, { id: number }>(
    `SELECT id FROM deployments
     WHERE external_id = @ref AND status = 'success' AND environment = @env
     ORDER BY (service_id IS @service) DESC, finished_at LIMIT 1`,
  );
  // A sha names the first successful production deployment that shipped it, as its head or among its commits.
  const bySha = db.prepare<{ prefix: string; service: string | null; env: string; before: number }, { id: number }>(
    `SELECT d.id FROM deployments d
     WHERE d.status = 'success' AND d.environment = @env AND d.finished_at <= @before
       AND (@service IS NULL OR d.service_id = @service)
       AND (d.sha LIKE @prefix || '%'
            OR EXISTS (SELECT 1 FROM deployment_changes dc WHERE dc.deployment_id = d.id AND dc.sha LIKE @prefix || '%'))
     ORDER BY d.finished_at, d.id LIMIT 1`,
  );
  const lastBefore = db.prepare<[string, string, number], { id: number; finished_at: number }>(
    `SELECT id, finished_at FROM deployments
     WHERE service_id = ? AND status = 'success' AND environment = ? AND finished_at <= ?
     ORDER BY finished_at DESC, id DESC LIMIT 1`,
  );
  const rolledBack = db.prepare<[number], { id: number }>(
    `SELECT id FROM deployments WHERE rollback_of_id = ? AND status = 'success' LIMIT 1`,
  );
  const setLink = db.prepare<[number | null, string | null, number]>(
    `UPDATE incidents SET linked_deployment_id = ?, link_rule = ? WHERE id = ?`,
  );
  const setManual = db.prepare<[number | null, number | null, number]>(
    `UPDATE incidents SET linked_deployment_id = ?, link_rule = CASE WHEN ? IS NULL THEN NULL ELSE 'manual' END WHERE id = ?`,
  );

  function decide(incident: IncidentToLink): Link {
    if (incident.deployment_ref) {
      const ref = incident.deployment_ref.trim();
      const named =
        byExternalId.get({ ref, service: incident.service_id, env }) ??
        (/^[0-9a-f]{7,40}$/i.test(ref)
          ? bySha.get({ prefix: ref.toLowerCase(), service: incident.service_id, env, before: incident.created_at })
          : undefined);
      if (named) return { deploymentId: named.id, rule: "explicit" };
    }
    if (!incident.service_id) return { deploymentId: null, rule: null };
    const last = lastBefore.get(incident.service_id, env, incident.created_at);
    if (!last) return { deploymentId: null, rule: null };
    if (rolledBack.get(last.id)) return { deploymentId: last.id, rule: "rollback" };
    if (incident.created_at - last.finished_at <= options.attributionWindowMs) return { deploymentId: last.id, rule: "heuristic" };
    return { deploymentId: null, rule: null };
  }

  function apply(incident: IncidentToLink): boolean {
    const link = decide(incident);
    if (link.deploymentId === incident.linked_deployment_id && link.rule === incident.link_rule) return false;
    setLink.run(link.deploymentId, link.rule, incident.id);
    return true;
  }

  return {
    /**
     * Re-derive links for incidents created in [fromMs, toMs) (call in the write transaction after
     * deployments or incidents in that range changed). Returns how many links changed.
     */
    relink(fromMs: number, toMs: number): number {
      let changed = 0;
      for (const incident of incidentsIn.all(fromMs, toMs)) if (apply(incident)) changed++;
      return changed;
    },
    relinkIncident(id: number): boolean {
      const incident = incidentById.get(id);
      if (!incident || incident.link_rule === "manual") return false;
      return apply(incident);
    },
    /** A person's correction (null unlinks and returns the incident to the automatic rules). */
    setManualLink(incidentId: number, deploymentId: number | null): void {
      setManual.run(deploymentId, deploymentId, incidentId);
      if (deploymentId === null) {
        const incident = incidentById.get(incidentId);
        if (incident) apply(incident);
      }
    },
  };
}
