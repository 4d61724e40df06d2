import { METRICS, type MetricId } from "../domain/metric-ids.js";
import { DAY_MS } from "../domain/scope.js";
import type { CountRow, SampleCoverage } from "../store/explain-reads.js";
import { methodsOf } from "../metrics/methods.js";
import { metricDefinition } from "./definitions.js";
import { filterInForce } from "./incident-counting.js";
import type { MetricExplanation, QueryContext } from "./types.js";

// `explain <metric>`: the definition in force (docs/metrics.md with this installation's settings), the
// formula, the configured thresholds, and what the stored data covers: how many deployments lack
// commits, incidents on unmapped services, samples left out and why (issue 3).

export function explainMetric(ctx: QueryContext, metric: MetricId): MetricExplanation {
  const info = METRICS[metric];
  const definition = metricDefinition(metric, ctx.config, ctx.store.incidentFilters);
  return {
    metric,
    label: info.label,
    unit: info.unit,
    direction: info.direction,
    definition: definition.definition,
    formula: definition.formula,
    tiers: definition.tiers,
    basis: definition.basis,
    settings: definition.settings,
    thresholds: ctx.config.thresholds
      .filter((t) => t.metric === metric)
      .map((t) => `${t.team ? `team ${t.team}` : t.service ? `service ${t.service}` : "organisation"}: warn ${t.warn}, critical ${t.critical} (${info.direction === "higher_is_worse" ? "higher is worse" : "lower is worse"})`),
    coverage: coverageLines(ctx, metric),
    methods: methodsOf(metric),
  };
}

function coverageLines(ctx: QueryContext, metric: MetricId): string[] {
  const reads = ctx.store.explain;
  const lines: string[] = [];
  const env = ctx.config.production_environment;
  const n = (value: number) => value.toLocaleString("en-US");

  const deploymentLines = (): void => {
    const d = reads.deployments();
    if (d.prod_success === 0) {
      lines.push(`No successful "${env}" deployments in the store yet.`);
    } else {
      lines.push(`${n(d.prod_success)} successful "${env}" deployments stored (${day(d.first_at)} to ${day(d.last_at)}); ${n(d.prod_failed)} failed ones are not counted as deployments.`);
    }
    const others = reads.otherEnvironments();
    if (d.other_env > 0) lines.push(`${n(d.other_env)} deployments to other environments are ignored (${list(others)}).`);
    return void d;
  };

  switch (metric) {
    case "deployment_frequency":
      deploymentLines();
      break;
    case "lead_time": {
      deploymentLines();
      const d = reads.deployments();
      const c = reads.changes();
      lines.push(`${n(d.without_commits)} production deployments have no commits attached, so they add no lead-time sample.`);
      lines.push(`${n(c.shipped)} changes shipped; ${n(c.non_positive)} have a commit time at or after their deployment (sample ≤ 0) and are excluded.`);
      lines.push(`${n(c.without_pr)} shipped changes have no pull request (no stage breakdown); ${n(c.partial_pr)} pull requests lack an opened, review or merge time (stages partly unknown).`);
      if (c.not_shipped > 0) lines.push(`${n(c.not_shipped)} changes are not in a successful production deployment yet.`);
      break;
    }
    case "change_failure_rate":
    case "rework_rate": {
      deploymentLines();
      const d = reads.deployments();
      if (metric === "rework_rate") {
        lines.push(`${n(d.rollbacks)} production deployments are rollbacks and ${n(d.hotfixes)} are marked as hotfixes.`);
      } else {
        const i = incidentCoverage(ctx);
        lines.push(`Incidents linked to a deployment: ${n(i.linked_explicit)} named it explicitly, ${n(i.linked_manual)} confirmed by people, ${n(i.linked_rollback)} through a rollback, ${n(i.linked_heuristic)} by the ${ctx.config.metrics.attribution_window_hours} h attribution window.`);
        lines.push(`Incidents that can mark a deployment failed (incidents.change_failure): ${filterInForce(ctx.store.incidentFilters, null, "change_failure")}; ${n(i.change_failure_filtered)} stored incidents left out.`);
        lines.push(`${n(i.unrelated_by_source + i.unrelated_by_people)} incidents are marked not caused by a deployment (${n(i.unrelated_by_source)} by their source's change_caused: false, ${n(i.unrelated_by_people)} by people in Slack): they mark nothing failed and still count for MTTR.`);
        lines.push(`${n(i.mapped_unlinked)} incidents on known services follow no deployment within the rules (not change failures).`);
        unmappedLine(lines, i.unmapped, reads.unmappedServices(), "cannot be attributed to any deployment");
      }
      if (d.unresolved_rollbacks > 0) lines.push(`${n(d.unresolved_rollbacks)} rollbacks name a deployment that is not in the store, so they mark nothing as failed.`);
      break;
    }
    case "mttr":
    case "mtta": {
      const i = incidentCoverage(ctx);
      lines.push(`${n(i.total)} incidents stored: ${n(i.resolved)} resolved, ${n(i.open)} open${i.oldest_open_at !== null ? ` (oldest opened ${day(i.oldest_open_at)}, ${ageDays(ctx.nowMs, i.oldest_open_at)} days ago)` : ""}; open incidents are excluded and counted.`);
      if (metric === "mtta") lines.push(`${n(i.unacknowledged)} incidents were never acknowledged (no time-to-acknowledge sample).`);
      lines.push(`Incidents that count toward MTTR and MTTA (incidents.recovery): ${filterInForce(ctx.store.incidentFilters, null, "recovery")}; ${n(i.recovery_filtered)} stored incidents left out.`);
      unmappedLine(lines, i.unmapped, reads.unmappedServices(), "count at org scope only, not for any team or service");
      break;
    }
    case "uptime": {
      const s = sampleOf(reads.samples(), "uptime_pct");
      const total = reads.serviceCount();
      lines.push(s ? `${n(s.n)} availability samples for ${s.services} of ${total} services (${day(s.first_at)} to ${day(s.last_at)}); the other services' uptime is derived from outage incidents.` : `No availability samples: uptime is derived from outage incidents for all ${total} services.`);
      const i = incidentCoverage(ctx);
      lines.push(`${n(i.outages)} stored incidents on known services count as outages (severities ${ctx.config.metrics.outage_severities.join(", ") || "none"}; PagerDuty high urgency with priority ${ctx.config.pagerduty.outage_priorities.join(", ") || "none"}).`);
      unmappedLine(lines, i.unmapped, reads.unmappedServices(), "cannot take any service's uptime down");
      break;
    }
    case "latency_p95": {
      const s = sampleOf(reads.samples(), "latency_p95_ms");
      if (!s) lines.push("No latency samples stored.");
      else {
        const plain = reads.withoutRequests("latency_p95_ms");
        lines.push(`${n(s.n)} P95 samples for ${s.services} services (${day(s.first_at)} to ${day(s.last_at)}).`);
        lines.push(plain === 0 ? "Every sample has a request count at the same time: all are request-weighted." : `${n(plain)} samples have no request count at the same time and enter a plain (unweighted) mean, labelled as such.`);
      }
      break;
    }
    case "error_rate": {
      const all = reads.samples();
      const errors = sampleOf(all, "errors");
      const rates = sampleOf(all, "error_rate_pct");
      const requests = sampleOf(all, "requests");
      lines.push(`${n(errors?.n ?? 0)} error counts, ${n(requests?.n ?? 0)} request counts and ${n(rates?.n ?? 0)} pre-computed error rates stored.`);
      const orphanErrors = reads.errorsWithoutRequests();
      if (orphanErrors > 0) lines.push(`${n(orphanErrors)} error counts have no request count at the same time and are left out (a rate needs both).`);
      if (rates) {
        const plain = reads.withoutRequests("error_rate_pct");
        if (plain > 0) lines.push(`${n(plain)} pre-computed rates have no request count and enter a plain mean.`);
      }
      break;
    }
    case "coverage":
    case "tech_debt_ratio": {
      const s = sampleOf(reads.samples(), metric === "coverage" ? "coverage_pct" : "tech_debt_ratio_pct");
      const total = reads.serviceCount();
      lines.push(s ? `${n(s.n)} samples for ${s.services} of ${total} services (${day(s.first_at)} to ${day(s.last_at)}); services without a sample have no value.` : "No samples stored.");
      break;
    }
    case "cost_per_user": {
      const all = reads.samples();
      const cost = sampleOf(all, "infra_cost_usd");
      const users = sampleOf(all, "active_users");
      lines.push(cost ? `${n(cost.n)} cost rows for ${cost.services} services; ${n(cost.org_wide)} are not tagged to a service (${ctx.config.cost.share_untagged ? "shared out across services" : "org scope only"}).` : "No cost rows stored.");
      lines.push(users ? `${n(users.n)} active-user samples (${day(users.first_at)} to ${day(users.last_at)}).` : "No active-user samples: cost per user is N/A.");
      break;
    }
  }
  const withoutTeam = reads.servicesWithoutTeam();
  if (withoutTeam > 0) lines.push(`${n(withoutTeam)} services belong to no team in the config: they count for the organisation and for themselves only.`);
  return lines;
}

function incidentCoverage(ctx: QueryContext) {
  return ctx.store.explain.incidents(ctx.config.metrics.outage_severities, ctx.config.pagerduty.outage_priorities);
}

function unmappedLine(lines: string[], unmapped: number, top: readonly CountRow[], consequence: string): void {
  if (unmapped === 0) {
    lines.push("Every incident is on a known service.");
    return;
  }
  lines.push(`${unmapped.toLocaleString("en-US")} incidents are on unmapped services (${list(top)}): they ${consequence}. Map them in the config (services[].pagerduty.service_id).`);
}

function sampleOf(samples: readonly SampleCoverage[], name: string): SampleCoverage | undefined {
  return samples.find((s) => s.name === name && s.n > 0);
}

function list(rows: readonly CountRow[]): string {
  return rows.map((r) => `${r.key ?? "unnamed"}: ${r.n.toLocaleString("en-US")}`).join(", ");
}

function day(atMs: number | null): string {
  return atMs === null ? "?" : new Date(atMs).toISOString().slice(0, 10);
}

function ageDays(nowMs: number, atMs: number): number {
  return Math.max(0, Math.floor((nowMs - atMs) / DAY_MS));
}
