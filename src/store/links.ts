import { matchesFilter, type IncidentFilters } from "../domain/incident-filter.js";
import { Touches, type DerivedOps } from "./derived/engine.js";
import { all, get, run, value, type Sql } from "./sql/query.js";

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

interface FilterInputs {
  id: number;
  service_id: string | null;
  severity: string | null;
  urgency: string | null;
  priority: string | null;
  counts_change_failure: number;
  counts_recovery: number;
}

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
export function linkOps(options: { productionEnvironment: string; attributionWindowMs: number; incidentFilters: IncidentFilters }, derived: DerivedOps) {
  const env = options.productionEnvironment;
  // Which incidents a change at or after `from` can affect: those created in [from, to); those after
  // a deployment finished at or after `from` on their service (it may now be their last deployment,
  // and a rollback link has no time limit); those already linked or naming a deployment explicitly
  // (the named deployment may have just arrived); and links a deployment update made invalid.
  // (The CAST: PostgreSQL cannot type a difference of two parameters.)
  const AFFECTED = `SELECT ${LINK_COLUMNS.replace(/(\w+)/g, "i.$1")}
     FROM incidents i
     WHERE i.verdict IS NULL
       AND (
         (i.created_at >= @from AND i.created_at < @to)
         OR (i.deployment_ref IS NOT NULL AND i.created_at >= @from - CAST(@windowMs AS bigint))
         OR (i.created_at >= @from AND i.linked_deployment_id IS NOT NULL)
         OR (i.created_at >= @from AND i.service_id IS NOT NULL AND EXISTS (
               SELECT 1 FROM deployments d
               WHERE d.service_id = i.service_id AND d.status = 'success' AND d.environment = @env
                 AND d.finished_at >= @from AND d.finished_at <= i.created_at))
         OR EXISTS (
               SELECT 1 FROM deployments d WHERE d.id = i.linked_deployment_id
                 AND (d.status <> 'success' OR d.environment <> @env OR d.finished_at > i.created_at
                      OR (i.link_rule = 'heuristic' AND i.created_at - d.finished_at > @windowMs)))
       )`;
  const INCIDENT_BY_ID = `SELECT ${LINK_COLUMNS} FROM incidents WHERE id = ?`;
  const BY_EXTERNAL_ID = `SELECT id FROM deployments
     WHERE external_id = @ref AND status = 'success' AND environment = @env
     ORDER BY (service_id IS NOT DISTINCT FROM @service) DESC, finished_at LIMIT 1`;
  // A sha names the first successful production deployment that shipped it, as its head or among its
  // commits. (The CAST: PostgreSQL cannot type a parameter only tested for NULL.)
  const BY_SHA = `SELECT d.id FROM deployments d
     WHERE d.status = 'success' AND d.environment = @env AND d.finished_at <= @before
       AND (CAST(@service AS text) IS NULL OR d.service_id = @service)
       AND (d.sha LIKE @prefix || '%'
            OR EXISTS (SELECT 1 FROM deployment_changes dc WHERE dc.deployment_id = d.id AND dc.sha LIKE @prefix || '%'))
     ORDER BY d.finished_at, d.id LIMIT 1`;
  const LAST_BEFORE = `SELECT id, finished_at FROM deployments
     WHERE service_id = ? AND status = 'success' AND environment = ? AND finished_at <= ?
     ORDER BY finished_at DESC, id DESC LIMIT 1`;
  const ROLLED_BACK = `SELECT id FROM deployments WHERE rollback_of_id = ? AND status = 'success' AND environment = ? LIMIT 1`;
  const SET_LINK = `UPDATE incidents SET linked_deployment_id = ?, link_rule = ? WHERE id = ?`;
  const SET_VERDICT = `UPDATE incidents SET verdict = @verdict, verdict_deployment_id = @deployment, verdict_by = @by, verdict_at = @at, verdict_via = @via WHERE id = @id`;
  const FILTER_INPUTS = `SELECT id, service_id, severity, urgency, priority, counts_change_failure, counts_recovery FROM incidents`;
  const SET_COUNTS = `UPDATE incidents SET counts_change_failure = ?, counts_recovery = ? WHERE id = ?`;
  const STORED_FINGERPRINT = `SELECT value FROM derived_settings WHERE key = 'incident_filters'`;
  const SAVE_FINGERPRINT = `INSERT INTO derived_settings (key, value) VALUES ('incident_filters', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
  const UNLINKED = `SELECT i.id, i.source, i.external_id, i.service_id, i.title, i.created_at, i.url, count(*) OVER () AS total
     FROM incidents i
     WHERE i.created_at >= @from AND i.created_at < @to AND i.service_id IS NOT NULL AND i.linked_deployment_id IS NULL
       AND i.counts_change_failure = 1 AND i.verdict IS DISTINCT FROM 'unrelated' AND NOT (i.verdict IS NULL AND i.change_caused IS NOT DISTINCT FROM 0)
       AND EXISTS (SELECT 1 FROM deployments d WHERE d.service_id = i.service_id AND d.status = 'success' AND d.environment = @env)
     ORDER BY i.created_at DESC LIMIT @limit`;

  function* decide(incident: IncidentToLink): Sql<Link> {
    if (incident.counts_change_failure === 0) return { deploymentId: null, rule: null };
    if (incident.verdict === "unrelated") return { deploymentId: null, rule: null };
    if (incident.verdict === "deployment" && incident.verdict_deployment_id !== null) return { deploymentId: incident.verdict_deployment_id, rule: "manual" };
    if (incident.change_caused === 0) return { deploymentId: null, rule: null };
    if (incident.deployment_ref) {
      const ref = incident.deployment_ref.trim();
      const named =
        (yield* get<{ id: number }>(BY_EXTERNAL_ID, { ref, service: incident.service_id, env })) ??
        (/^[0-9a-f]{6,40}$/i.test(ref)
          ? yield* get<{ id: number }>(BY_SHA, { prefix: ref.toLowerCase(), service: incident.service_id, env, before: incident.created_at })
          : undefined);
      if (named) return { deploymentId: named.id, rule: "explicit" };
    }
    if (!incident.service_id) return { deploymentId: null, rule: null };
    const last = yield* get<{ id: number; finished_at: number }>(LAST_BEFORE, [incident.service_id, env, incident.created_at]);
    if (!last) return { deploymentId: null, rule: null };
    if (yield* get<{ id: number }>(ROLLED_BACK, [last.id, env])) return { deploymentId: last.id, rule: "rollback" };
    if (incident.created_at - last.finished_at <= options.attributionWindowMs) return { deploymentId: last.id, rule: "heuristic" };
    return { deploymentId: null, rule: null };
  }

  function* apply(incident: IncidentToLink, touches: Touches): Sql<boolean> {
    const link = yield* decide(incident);
    if (link.deploymentId === incident.linked_deployment_id && link.rule === incident.link_rule) return false;
    yield* run(SET_LINK, [link.deploymentId, link.rule, incident.id]);
    // The failure counts of the deployment it leaves and of the one it joins.
    touches.deploymentTouched(incident.linked_deployment_id);
    touches.deploymentTouched(link.deploymentId);
    return true;
  }

  /** A person's verdict, kept apart from the source's fields, and the link that follows from it. */
  function* recordVerdict(incidentId: number, verdict: Verdict, touches?: Touches): Sql<void> {
    const t = touches ?? new Touches();
    yield* run(SET_VERDICT, {
      id: incidentId,
      verdict: verdict.kind === "rules" ? null : verdict.kind,
      deployment: verdict.kind === "deployment" ? verdict.deploymentId : null,
      by: verdict.kind === "rules" ? null : verdict.by,
      at: verdict.kind === "rules" ? null : verdict.atMs,
      via: verdict.kind === "rules" ? null : verdict.via,
    });
    const incident = yield* get<IncidentToLink>(INCIDENT_BY_ID, [incidentId]);
    if (incident) yield* apply(incident, t);
    if (touches === undefined) yield* derived.flush(t);
  }

  // Each operation that relinks records its touches in `touches` when given (the caller's unit of
  // work flushes them once), else refreshes the derived data itself.
  return {
    /**
     * Re-derive links for incidents created in [fromMs, toMs) (call in the write transaction after
     * deployments or incidents in that range changed). Incidents naming a deployment explicitly are
     * re-derived from one attribution window before `fromMs` on (a named deployment finishes before,
     * or shortly after, the incident it caused), so a write's cost does not grow with history.
     * Returns how many links changed.
     */
    *relink(fromMs: number, toMs: number, touches?: Touches): Sql<number> {
      const t = touches ?? new Touches();
      let changed = 0;
      for (const incident of yield* all<IncidentToLink>(AFFECTED, { from: fromMs, to: toMs, env, windowMs: options.attributionWindowMs })) {
        if (yield* apply(incident, t)) changed++;
      }
      if (touches === undefined) yield* derived.flush(t);
      return changed;
    },
    *relinkIncident(id: number, touches?: Touches): Sql<boolean> {
      const incident = yield* get<IncidentToLink>(INCIDENT_BY_ID, [id]);
      if (!incident || incident.verdict !== null) return false;
      const t = touches ?? new Touches();
      const changed = yield* apply(incident, t);
      if (touches === undefined) yield* derived.flush(t);
      return changed;
    },
    /**
     * Bring the filter columns (and the links that follow from them) up to the filters in force,
     * when they differ from those the columns were derived with: a changed `incidents` section
     * takes effect without a re-import. Run at open (storeOps' open); returns the incidents whose flags changed.
     */
    *applyIncidentFilters(touches?: Touches): Sql<number> {
      const filters = options.incidentFilters;
      if (((yield* value<string>(STORED_FINGERPRINT)) ?? "") === filters.fingerprint) return 0;
      const t = touches ?? new Touches();
      let changed = 0;
      for (const row of yield* all<FilterInputs>(FILTER_INPUTS)) {
        const inForce = filters.forService(row.service_id);
        const cfr = matchesFilter(inForce.changeFailure, row) ? 1 : 0;
        const recovery = matchesFilter(inForce.recovery, row) ? 1 : 0;
        if (cfr === row.counts_change_failure && recovery === row.counts_recovery) continue;
        yield* run(SET_COUNTS, [cfr, recovery, row.id]);
        changed++;
        if (cfr !== row.counts_change_failure) yield* apply((yield* get<IncidentToLink>(INCIDENT_BY_ID, [row.id]))!, t);
      }
      yield* run(SAVE_FINGERPRINT, [filters.fingerprint]);
      if (touches === undefined) yield* derived.flush(t);
      return changed;
    },
    /**
     * Incidents created in [fromMs, toMs) that no rule linked although their service has production
     * deployments: candidates for a missing explicit reference or a `/kpi link` correction. Newest first.
     */
    *unlinkedOnDeployedServices(fromMs: number, toMs: number, limit = 10): Sql<UnlinkedIncident[]> {
      return yield* all<UnlinkedIncident>(UNLINKED, { from: fromMs, to: toMs, env, limit });
    },
    /** A person's correction (null unlinks and returns the incident to the automatic rules). */
    *setManualLink(incidentId: number, deploymentId: number | null, who: { by: string; atMs: number | null } = { by: "unknown", atMs: null }, touches?: Touches): Sql<void> {
      yield* recordVerdict(incidentId, deploymentId === null ? { kind: "rules" } : { kind: "deployment", deploymentId, by: who.by, atMs: who.atMs, via: "command" }, touches);
    },
    /** Record a person's verdict and re-derive the link from it. */
    setVerdict: recordVerdict,
  };
}
