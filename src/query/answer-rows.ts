import { HOUR_MS, type Window } from "../domain/scope.js";
import type { MetricId } from "../domain/metric-ids.js";
import { unionLength } from "../metrics/reliability/compute.js";
import type { Store } from "../store/index.js";
import { resolveScope } from "./run.js";
import type { KpiQuestion, KpiRequest, QueryContext } from "./types.js";

// The rows behind a headline (issue 17): one row per item the headline counts, so a table has
// exactly `sample_size` rows — deployments for deployment frequency, CFR and rework; changes for
// lead time; incidents for MTTR and MTTA; samples (or services, for the levels) for the rest.
// Times are ISO 8601 UTC, durations in hours at full precision.

type Cell = string | number | boolean | null;

export interface RowTable {
  readonly metric: MetricId;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const hours = (from: number | null, to: number | null): number | null => (from === null || to === null ? null : (to - from) / HOUR_MS);
const bool = (flag: number): boolean => flag !== 0;

// Asynchronous like every read entry point (issue 19), so the PostgreSQL store can answer through it.
async function answerRows(ctx: QueryContext, request: KpiRequest): Promise<RowTable> {
  const { metric } = request;
  const catalog = new Map((await ctx.store.catalog.services()).map((s) => [s.id, s.team_id]));
  const { services } = resolveScope(ctx.config, request.scope, catalog);
  const reads = ctx.store.reads;
  const window = request.window;
  const table = (columns: readonly string[], rows: readonly (readonly Cell[])[]): RowTable => ({ metric, columns, rows });
  switch (metric) {
    case "deployment_frequency":
    case "change_failure_rate":
    case "rework_rate":
      return table(
        ["deployment_id", "source", "service", "finished_at", "sha", "caused_failure", "rule", "incidents", "rework", "rollback_of", "hotfix", "url"],
        (await reads.rows.deployments(ctx.store.options.productionEnvironment, window, services)).map((d) => {
          // What marked it failed: the rules of the incidents linked to it, and a rollback of it.
          const rules = [...(d.link_rules ? d.link_rules.split(",") : []), ...(d.rolled_back ? ["rolled_back"] : [])];
          return [
            d.external_id, d.source, d.service, iso(d.finished_at), d.sha, bool(d.caused_failure), [...new Set(rules)].join(";"),
            d.incidents ? d.incidents.split("\x1f").join(";") : "", bool(d.rework), d.rollback_of, bool(d.is_hotfix), d.url,
          ];
        }),
      );
    case "lead_time":
      return table(
        ["change", "service", "pr_number", "pr_title", "committed_at", "pr_opened_at", "pr_first_review_at", "pr_merged_at", "deployed_at", "deployment_id",
          "lead_time_hours", "coding_hours", "pickup_hours", "review_hours", "deploy_hours", "pr_url"],
        (await reads.rows.changes(window, services)).map((c) => [
          c.change_key, c.service, c.pr_number, c.pr_title, iso(c.committed_at), iso(c.pr_opened_at), iso(c.pr_first_review_at), iso(c.pr_merged_at),
          iso(c.first_deployed_at), c.deployment, hours(c.committed_at, c.first_deployed_at), hours(c.committed_at, c.pr_opened_at),
          hours(c.pr_opened_at, c.pr_first_review_at), hours(c.pr_first_review_at, c.pr_merged_at), hours(c.pr_merged_at, c.first_deployed_at), c.pr_url,
        ]),
      );
    case "mttr":
    case "mtta": {
      const end = metric === "mttr" ? "resolved_at" : "acknowledged_at";
      return table(
        ["incident_id", "source", "service", "title", "severity", "urgency", "priority", "created_at", "acknowledged_at", "resolved_at",
          metric === "mttr" ? "hours_to_resolve" : "hours_to_acknowledge", "deployment_id", "link_rule", "url"],
        (await reads.rows.incidents(end, window, services)).map((i) => [
          i.external_id, i.source, i.service, i.title, i.severity, i.urgency, i.priority, iso(i.created_at), iso(i.acknowledged_at), iso(i.resolved_at),
          hours(i.created_at, i[end]), i.deployment, i.link_rule, i.url,
        ]),
      );
    }
    case "uptime":
      return table(["service", "at", "uptime_pct", "basis"], await uptimeRows(ctx, reads, window, services ?? (await reads.metric.knownServices())));
    case "latency_p95":
      return table(
        ["service", "at", "source", "latency_p95_ms", "requests"],
        (await reads.rows.points("latency", window, services)).map((p) => [p.service, iso(p.at), p.source, p.latency_p95_ms, p.requests]),
      );
    case "error_rate":
      return table(
        ["service", "at", "source", "errors", "requests", "error_rate_pct"],
        (await reads.rows.points("errors", window, services)).map((p) => [p.service, iso(p.at), p.source, p.errors, p.requests, p.error_rate_pct]),
      );
    case "coverage":
    case "tech_debt_ratio": {
      // A level's items are services: each one's latest value in the window.
      const name = metric === "coverage" ? "coverage_pct" : "tech_debt_ratio_pct";
      const latest = new Map<string, { at: number; value: number; samples: number }>();
      for (const s of await reads.rows.timed(name, window, services)) {
        if (s.service === "") continue;
        latest.set(s.service, { at: s.at, value: s.value, samples: (latest.get(s.service)?.samples ?? 0) + 1 });
      }
      return table(["service", "latest_at", `latest_${name}`, "samples_in_window"], [...latest].map(([service, l]) => [service, iso(l.at), l.value, l.samples]));
    }
    case "cost_per_user":
      return table(
        ["service", "at", "source", "infra_cost_usd"],
        (await reads.rows.samples("infra_cost_usd", window, services, true)).map((s) => [s.service === "" ? "(untagged)" : s.service, iso(s.at), s.source, s.value]),
      );
  }
}

/**
 * Uptime's items: the availability samples of the services that have some in the window, and one
 * derived row per service without (100 × (1 − merged outage time ÷ window length), to now).
 */
async function uptimeRows(ctx: QueryContext, reads: Store["reads"], window: Window, services: readonly string[]): Promise<Cell[][]> {
  const endMs = Math.min(window.toMs, ctx.nowMs);
  if (endMs <= window.fromMs) return [];
  const samples = await reads.rows.timed("uptime_pct", window, services);
  const sampled = new Set(samples.map((s) => s.service));
  const rows: Cell[][] = samples.map((s) => [s.service, iso(s.at), s.value, "sample"]);
  const derived = services.filter((s) => !sampled.has(s));
  const outages = new Map<string, Array<[number, number]>>();
  for (const o of await reads.metric.outages(window, ctx.config.metrics.outage_severities, ctx.config.pagerduty.outage_priorities, derived)) {
    const list = outages.get(o.service) ?? [];
    list.push([o.created_at, o.resolved_at ?? ctx.nowMs]);
    outages.set(o.service, list);
  }
  for (const service of derived) {
    const down = unionLength(outages.get(service) ?? [], window.fromMs, endMs);
    rows.push([service, iso(window.fromMs), 100 * (1 - down / (endMs - window.fromMs)), "derived from outage incidents"]);
  }
  return rows;
}

export type QuestionRows = { readonly ok: true; readonly table: RowTable; readonly request: KpiRequest } | { readonly ok: false; readonly error: string };

/** The rows of a metric question's headline (not of its "vs" window); summary, explain and help have none. */
export async function questionRows(ctx: QueryContext, question: KpiQuestion): Promise<QuestionRows> {
  if (question.kind === "metric") return { ok: true, table: await answerRows(ctx, question.request), request: question.request };
  const what = question.kind === "summary" ? "a summary has four metrics" : `"${question.kind}" has no rows`;
  return { ok: false, error: `rows come one metric at a time (${what}): ask for one metric, e.g. "cfr last 30d for payments"` };
}
