import { matchesFilter, type IncidentFilters } from "../domain/incident-filter.js";
import type { Db } from "./db.js";
import type { DerivedData } from "./derived/engine.js";

/** "manual": confirmed by a person (`/kpi link`, or an answer to the confirmation message). */
type LinkRule = "explicit" | "rollback" | "heuristic" | "manual";

interface IncidentToLink {
  id: number;
  service_id: string | null;
  created_at: number;
  resolved_at: number | null;
  deployment_ref: string | null;
  linked_deployment_id: number | null;
  link_rule: LinkRule | null;
  change_caused: 0 | 1 | null;
  counts_change_failure: 0 | 1;
  verdict: "deployment" | "unrelated" | null;
  verdict_deployment_id: number | null;
}

/** A person's verdict on an incident: the deployment that caused it, none (unrelated), or back to the rules. */
export type Verdict =
  | { readonly kind: "deployment"; readonly deploymentId: number; readonly by: string; readonly atMs: number | null; readonly via: "command" | "confirmation" }
  | { readonly kind: "unrelated"; readonly by: string; readonly atMs: number; readonly via: "command" | "confirmation" }
  | { readonly kind: "rules" };

/** An incident no rule linked, on a service that does deploy (for `explain cfr`). */
export interface UnlinkedIncident {
  id: number;
  source: string;
  external_id: string;
  service_id: string;
  title: string;
  created_at: number;
  url: string | null;
  /** How many such incidents there are in the window (the list is limited). */
  total: number;
}

const LINK_COLUMNS = "id, service_id, created_at, resolved_at, deployment_ref, linked_deployment_id, link_rule, change_caused, counts_change_failure, verdict, verdict_deployment_id";

interface Link {
  deploymentId: number | null;
  rule: LinkRule | null;
}

/**
 * Links incidents to the deployment that caused them, in the order docs/metrics.md gives:
 * 1. explicit: the incident names a deployment id, or a commit sha (6+ hex digits, a prefix of the
 *    head or of any commit shipped) of a deployment finished before it (deployment_ref);
 * 2. rollback: the service's last deployment before the incident was later rolled back (no time
 *    limit: it was live when the incident began);
 * 3. heuristic: the service's last deployment before the incident finished within the attribution
 *    window (default 24 h) — "before the service's next deployment" holds because it is the last one.
 * Only successful production deployments count. Before any rule: an incident outside the
 * `incidents.change_failure` filter, or not caused by a change (the source's `change_caused:
 * false`, or a person's `unrelated`), links to nothing (a rollback still marks the deployment it
 * undoes: "caused a failure" is defined in src/store/derived/definitions.ts). A person's verdict (rule
 * "manual") is never overwritten by the rules, nor by a sync. Links do not depend on the order
 * records arrive in (see `affected`).
 */
export function linkStore(db: Db, options: { productionEnvironment: string; attributionWindowMs: number; incidentFilters: IncidentFilters }, derived: DerivedData) {
  const env = options.productionEnvironment;
  // Which incidents a change at or after `from` can affect: those created in [from, to); those after
  // a deployment finished at or after `from` on their service (it may now be their last deployment,
  // and a rollback link has no time limit); those already linked or naming a deployment explicitly
  // (the named deployment may have just arrived); and links a deployment update made invalid.
  const affected = db.prepare<{ from: number; to: number; env: string; windowMs: number }, IncidentToLink>(
    `SELECT ${LINK_COLUMNS.replace(/(\w+)/g, "i.$1")}
     FROM incidents i
     WHERE i.verdict IS NULL
       AND (
         (i.created_at >= @from AND i.created_at < @to)
         OR (i.deployment_ref IS NOT NULL AND i.created_at >= @from - @windowMs)
         OR (i.created_at >= @from AND i.linked_deployment_id IS NOT NULL)
         OR (i.created_at >= @from AND i.service_id IS NOT NULL AND EXISTS (
               SELECT 1 FROM deployments d
               WHERE d.service_id = i.service_id AND d.status = 'success' AND d.environment = @env
                 AND d.finished_at >= @from AND d.finished_at <= i.created_at))
         OR EXISTS (
               SELECT 1 FROM deployments d WHERE d.id = i.linked_deployment_id
                 AND (d.status <> 'success' OR d.environment <> @env OR d.finished_at > i.created_at
                      OR (i.link_rule = 'heuristic' AND i.created_at - d.finished_at > @windowMs)))
       )`,
  );
  const incidentById = db.prepare<[number], IncidentToLink>(`SELECT ${LINK_COLUMNS} FROM incidents WHERE id = ?`);
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
  const rolledBack = db.prepare<[number, string], { id: number }>(
    `SELECT id FROM deployments WHERE rollback_of_id = ? AND status = 'success' AND environment = ? LIMIT 1`,
  );
  const setLink = db.prepare<[number | null, string | null, number]>(
    `UPDATE incidents SET linked_deployment_id = ?, link_rule = ? WHERE id = ?`,
  );
  const setVerdict = db.prepare<{ id: number; verdict: string | null; deployment: number | null; by: string | null; at: number | null; via: string | null }>(
    `UPDATE incidents SET verdict = @verdict, verdict_deployment_id = @deployment, verdict_by = @by, verdict_at = @at, verdict_via = @via WHERE id = @id`,
  );
  const filterInputs = db.prepare<[], { id: number; service_id: string | null; severity: string | null; urgency: string | null; priority: string | null; counts_change_failure: number; counts_recovery: number }>(
    `SELECT id, service_id, severity, urgency, priority, counts_change_failure, counts_recovery FROM incidents`,
  );
  const setCounts = db.prepare<[number, number, number]>(`UPDATE incidents SET counts_change_failure = ?, counts_recovery = ? WHERE id = ?`);
  const storedFingerprint = db.prepare<[], string>(`SELECT value FROM derived_settings WHERE key = 'incident_filters'`).pluck();
  const saveFingerprint = db.prepare<[string]>(
    `INSERT INTO derived_settings (key, value) VALUES ('incident_filters', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );

  const unlinked = db.prepare<{ from: number; to: number; env: string; limit: number }, UnlinkedIncident>(
    `SELECT i.id, i.source, i.external_id, i.service_id, i.title, i.created_at, i.url, count(*) OVER () AS total
     FROM incidents i
     WHERE i.created_at >= @from AND i.created_at < @to AND i.service_id IS NOT NULL AND i.linked_deployment_id IS NULL
       AND i.counts_change_failure = 1 AND i.verdict IS NOT 'unrelated' AND NOT (i.verdict IS NULL AND i.change_caused IS 0)
       AND EXISTS (SELECT 1 FROM deployments d WHERE d.service_id = i.service_id AND d.status = 'success' AND d.environment = @env)
     ORDER BY i.created_at DESC LIMIT @limit`,
  );

  function decide(incident: IncidentToLink): Link {
    if (incident.counts_change_failure === 0) return { deploymentId: null, rule: null };
    if (incident.verdict === "unrelated") return { deploymentId: null, rule: null };
    if (incident.verdict === "deployment" && incident.verdict_deployment_id !== null) return { deploymentId: incident.verdict_deployment_id, rule: "manual" };
    if (incident.change_caused === 0) return { deploymentId: null, rule: null };
    if (incident.deployment_ref) {
      const ref = incident.deployment_ref.trim();
      const named =
        byExternalId.get({ ref, service: incident.service_id, env }) ??
        (/^[0-9a-f]{6,40}$/i.test(ref)
          ? bySha.get({ prefix: ref.toLowerCase(), service: incident.service_id, env, before: incident.created_at })
          : undefined);
      if (named) return { deploymentId: named.id, rule: "explicit" };
    }
    if (!incident.service_id) return { deploymentId: null, rule: null };
    const last = lastBefore.get(incident.service_id, env, incident.created_at);
    if (!last) return { deploymentId: null, rule: null };
    if (rolledBack.get(last.id, env)) return { deploymentId: last.id, rule: "rollback" };
    if (incident.created_at - last.finished_at <= options.attributionWindowMs) return { deploymentId: last.id, rule: "heuristic" };
    return { deploymentId: null, rule: null };
  }

  function apply(incident: IncidentToLink): boolean {
    const link = decide(incident);
    if (link.deploymentId === incident.linked_deployment_id && link.rule === incident.link_rule) return false;
    setLink.run(link.deploymentId, link.rule, incident.id);
    // The failure counts of the deployment it leaves and of the one it joins (flushed by the caller).
    derived.deploymentTouched(incident.linked_deployment_id);
    derived.deploymentTouched(link.deploymentId);
    return true;
  }

  /** A person's verdict, kept apart from the source's fields, and the link that follows from it. */
  function recordVerdict(incidentId: number, verdict: Verdict): void {
    setVerdict.run({
      id: incidentId,
      verdict: verdict.kind === "rules" ? null : verdict.kind,
      deployment: verdict.kind === "deployment" ? verdict.deploymentId : null,
      by: verdict.kind === "rules" ? null : verdict.by,
      at: verdict.kind === "rules" ? null : verdict.atMs,
      via: verdict.kind === "rules" ? null : verdict.via,
    });
    const incident = incidentById.get(incidentId);
    if (incident) apply(incident);
    derived.flush();
  }

  return {
    /**
     * Re-derive links for incidents created in [fromMs, toMs) (call in the write transaction after
     * deployments or incidents in that range changed). Incidents naming a deployment explicitly are
     * re-derived from one attribution window before `fromMs` on (a named deployment finishes before,
     * or shortly after, the incident it caused), so a write's cost does not grow with history.
     * Returns how many links changed.
     */
    relink(fromMs: number, toMs: number): number {
      let changed = 0;
      for (const incident of affected.all({ from: fromMs, to: toMs, env, windowMs: options.attributionWindowMs })) {
        if (apply(incident)) changed++;
      }
      derived.flush();
      return changed;
    },
    relinkIncident(id: number): boolean {
      const incident = incidentById.get(id);
      if (!incident || incident.verdict !== null) return false;
      const changed = apply(incident);
      derived.flush();
      return changed;
    },
    /**
     * Bring the filter columns (and the links that follow from them) up to the filters in force,
     * when they differ from those the columns were derived with: a changed `incidents` section
     * takes effect without a re-import. Call at start-up; returns the incidents whose flags changed.
     */
    applyIncidentFilters(): number {
      const filters = options.incidentFilters;
      if ((storedFingerprint.get() ?? "") === filters.fingerprint) return 0;
      return db.transaction(() => {
        let changed = 0;
        for (const row of filterInputs.all()) {
          const inForce = filters.forService(row.service_id);
          const cfr = matchesFilter(inForce.changeFailure, row) ? 1 : 0;
          const recovery = matchesFilter(inForce.recovery, row) ? 1 : 0;
          if (cfr === row.counts_change_failure && recovery === row.counts_recovery) continue;
          setCounts.run(cfr, recovery, row.id);
          changed++;
          if (cfr !== row.counts_change_failure) apply(incidentById.get(row.id)!);
        }
        saveFingerprint.run(filters.fingerprint);
        derived.flush();
        return changed;
      })();
    },
    /**
     * Incidents created in [fromMs, toMs) that no rule linked although their service has production
     * deployments: candidates for a missing explicit reference or a `/kpi link` correction. Newest first.
     */
    unlinkedOnDeployedServices(fromMs: number, toMs: number, limit = 10): UnlinkedIncident[] {
      return unlinked.all({ from: fromMs, to: toMs, env, limit });
    },
    /** A person's correction (null unlinks and returns the incident to the automatic rules). */
    setManualLink(incidentId: number, deploymentId: number | null, who: { by: string; atMs: number | null } = { by: "unknown", atMs: null }): void {
      recordVerdict(incidentId, deploymentId === null ? { kind: "rules" } : { kind: "deployment", deploymentId, by: who.by, atMs: who.atMs, via: "command" });
    },
    /** Record a person's verdict and re-derive the link from it (call in a transaction). */
    setVerdict: recordVerdict,
  };
}
