import { matchesFilter, type IncidentFilters } from "../domain/incident-filter.js";
import { Touches, type DerivedOps } from "./derived/engine.js";
import type { Dialect } from "./sql/dialect.js";
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

const NO_LINK: Link = { deploymentId: null, rule: null };

/** What the deployment rules look up for one incident (a row of FACTS' `r`). */
interface Lookup {
  id: number;
  service_id: string | null;
  created_at: number;
  /** The reference as it names a deployment id, when the incident has one. */
  ref: string | null;
  /** The reference as a commit sha prefix, when it can be one. */
  sha_prefix: string | null;
}

/** What the deployment rules read about the deployments, for one incident (a row of FACTS). */
interface DeploymentFacts {
  id: number;
  /** The deployment the incident's reference names. */
  named_id: number | null;
  /** The service's last successful production deployment before the incident. */
  last_id: number | null;
  last_finished_at: number | null;
  /** 1 when a successful production deployment rolled that one back. */
  last_rolled_back: 0 | 1;
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
export function linkOps(d: Dialect, options: { productionEnvironment: string; attributionWindowMs: number; incidentFilters: IncidentFilters }, derived: DerivedOps) {
  const env = options.productionEnvironment;
  // Which incidents a change at or after `from` can affect: those created in [from, to); those after
  // a deployment finished at or after `from` on their service (it may now be their last deployment,
  // and a rollback link has no time limit); those already linked or naming a deployment explicitly
  // (the named deployment may have just arrived); and those linked to a deployment this write
  // rewrote (its status, environment or time may no longer allow the link; only a rewrite of the
  // deployment can, so the incidents linked to any other need no look).
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
         OR i.linked_deployment_id IN (${d.integerList("@rewritten")})
       )`;
  const INCIDENT_BY_ID = `SELECT ${LINK_COLUMNS} FROM incidents WHERE id = ?`;
  // For every incident of `r`, what the deployment rules read (one statement for any number of
  // incidents: the rules read only deployments, never another incident's link, so one snapshot is
  // what incident-by-incident lookups would see). The explicit reference: a deployment id (the
  // service's own first, then the earliest, ties by id so both engines pick one), else a sha naming
  // the first successful production deployment that shipped it, as its head or among its commits
  // (COALESCE and CASE evaluate the sha lookup only when needed). Then the service's last deployment
  // before the incident, and whether it was rolled back. (MATERIALIZED: SQLite would otherwise
  // inline `f` and look last_id up once for each of its three uses.)
  const FACTS = `WITH f AS MATERIALIZED (
       SELECT r.id,
         COALESCE(
           (SELECT d.id FROM deployments d
            WHERE d.external_id = r.ref AND d.status = 'success' AND d.environment = @env
            ORDER BY (d.service_id IS NOT DISTINCT FROM r.service_id) DESC, d.finished_at, d.id LIMIT 1),
           CASE WHEN r.sha_prefix IS NOT NULL THEN (
             SELECT d.id FROM deployments d
             WHERE d.status = 'success' AND d.environment = @env AND d.finished_at <= r.created_at
               AND (r.service_id IS NULL OR d.service_id = r.service_id)
               AND (d.sha LIKE r.sha_prefix || '%'
                    OR EXISTS (SELECT 1 FROM deployment_changes dc WHERE dc.deployment_id = d.id AND dc.sha LIKE r.sha_prefix || '%'))
             ORDER BY d.finished_at, d.id LIMIT 1) END
         ) AS named_id,
         (SELECT d.id FROM deployments d
          WHERE d.service_id = r.service_id AND d.status = 'success' AND d.environment = @env AND d.finished_at <= r.created_at
          ORDER BY d.finished_at DESC, d.id DESC LIMIT 1) AS last_id
       FROM ${d.records("r", [["id", "integer"], ["service_id", "text"], ["created_at", "integer"], ["ref", "text"], ["sha_prefix", "text"]], "@lookups")}
     )
     SELECT f.id, f.named_id, f.last_id, last.finished_at AS last_finished_at,
       CASE WHEN EXISTS (
         SELECT 1 FROM deployments rb WHERE rb.rollback_of_id = f.last_id AND rb.status = 'success' AND rb.environment = @env
       ) THEN 1 ELSE 0 END AS last_rolled_back
     FROM f LEFT JOIN deployments last ON last.id = f.last_id`;
  const SET_LINKS = `UPDATE incidents SET linked_deployment_id = r.deployment_id, link_rule = r.rule
     FROM ${d.records("r", [["id", "integer"], ["deployment_id", "integer"], ["rule", "text"]])}
     WHERE incidents.id = r.id`;
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

  /**
   * The rules that read only the incident: the change-failure filter and a person's verdict come
   * before any rule, and an incident not caused by a change links to nothing. Undefined when the
   * deployments decide (`byDeployments`).
   */
  function settledByIncident(incident: IncidentToLink): Link | undefined {
    if (incident.counts_change_failure === 0) return NO_LINK;
    if (incident.verdict === "unrelated") return NO_LINK;
    if (incident.verdict === "deployment" && incident.verdict_deployment_id !== null) return { deploymentId: incident.verdict_deployment_id, rule: "manual" };
    if (incident.change_caused === 0) return NO_LINK;
    return undefined;
  }

  /** What FACTS looks up for `incident`: its reference read as a deployment id, and as a sha prefix if it can be one. */
  function lookupOf(incident: IncidentToLink): Lookup {
    const ref = incident.deployment_ref ? incident.deployment_ref.trim() : null;
    const shaPrefix = ref !== null && /^[0-9a-f]{6,40}$/i.test(ref) ? ref.toLowerCase() : null;
    return { id: incident.id, service_id: incident.service_id, created_at: incident.created_at, ref, sha_prefix: shaPrefix };
  }

  /** The deployment rules, in their order, from what FACTS found for `incident`. */
  function byDeployments(incident: IncidentToLink, facts: DeploymentFacts): Link {
    if (facts.named_id !== null) return { deploymentId: facts.named_id, rule: "explicit" };
    if (!incident.service_id || facts.last_id === null || facts.last_finished_at === null) return NO_LINK;
    if (facts.last_rolled_back === 1) return { deploymentId: facts.last_id, rule: "rollback" };
    if (incident.created_at - facts.last_finished_at <= options.attributionWindowMs) return { deploymentId: facts.last_id, rule: "heuristic" };
    return NO_LINK;
  }

  function factsOf(facts: ReadonlyMap<number, DeploymentFacts>, incidentId: number): DeploymentFacts {
    const found = facts.get(incidentId);
    if (found === undefined) throw new Error(`no deployment facts for incident ${incidentId}: FACTS returns one row per incident it is given`);
    return found;
  }

  /** The link the rules give each incident, in order: one FACTS statement for those the deployments decide. */
  function* decide(incidents: readonly IncidentToLink[]): Sql<Link[]> {
    const settled = incidents.map(settledByIncident);
    const open = incidents.filter((_, i) => settled[i] === undefined);
    const facts = new Map<number, DeploymentFacts>();
    if (open.length > 0) {
      for (const row of yield* all<DeploymentFacts>(FACTS, { env, lookups: JSON.stringify(open.map(lookupOf)) })) facts.set(row.id, row);
    }
    return incidents.map((incident, i) => settled[i] ?? byDeployments(incident, factsOf(facts, incident.id)));
  }

  /** Re-derive the links of `incidents`, one UPDATE for those that changed; returns how many did. */
  function* apply(incidents: readonly IncidentToLink[], touches: Touches): Sql<number> {
    if (incidents.length === 0) return 0;
    const links = yield* decide(incidents);
    const changes: { id: number; deployment_id: number | null; rule: LinkRule | null }[] = [];
    incidents.forEach((incident, i) => {
      const link = links[i]!;
      if (link.deploymentId === incident.linked_deployment_id && link.rule === incident.link_rule) return;
      changes.push({ id: incident.id, deployment_id: link.deploymentId, rule: link.rule });
      // The failure counts of the deployment it leaves and of the one it joins.
      touches.deploymentTouched(incident.linked_deployment_id);
      touches.deploymentTouched(link.deploymentId);
    });
    if (changes.length > 0) yield* run(SET_LINKS, [JSON.stringify(changes)]);
    return changes.length;
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
    if (incident) yield* apply([incident], t);
    if (touches === undefined) yield* derived.flush(t);
  }

  // Each operation that relinks records its touches in `touches` when given (the caller's unit of
  // work flushes them once), else refreshes the derived data itself.
  return {
    /**
     * Re-derive links for incidents created in [fromMs, toMs) and for those linked to a deployment
     * the write rewrote (call in the write transaction after deployments or incidents in that range
     * changed). Incidents naming a deployment explicitly are re-derived from one attribution window
     * before `fromMs` on (a named deployment finishes before, or shortly after, the incident it
     * caused), so a write's cost does not grow with history.
     * Returns how many links changed.
     */
    *relink(fromMs: number, toMs: number, rewrittenDeploymentIds: readonly number[], touches?: Touches): Sql<number> {
      const t = touches ?? new Touches();
      const params = { from: fromMs, to: toMs, env, windowMs: options.attributionWindowMs, rewritten: JSON.stringify(rewrittenDeploymentIds) };
      const changed = yield* apply(yield* all<IncidentToLink>(AFFECTED, params), t);
      if (touches === undefined) yield* derived.flush(t);
      return changed;
    },
    *relinkIncident(id: number, touches?: Touches): Sql<boolean> {
      const incident = yield* get<IncidentToLink>(INCIDENT_BY_ID, [id]);
      if (!incident || incident.verdict !== null) return false;
      const t = touches ?? new Touches();
      const changed = (yield* apply([incident], t)) > 0;
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
        if (cfr !== row.counts_change_failure) yield* apply([(yield* get<IncidentToLink>(INCIDENT_BY_ID, [row.id]))!], t);
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
