import type { MetricId } from "../domain/metric-ids.js";
import { METRICS } from "../metrics/catalog.js";
import type { ExplainInput } from "../metrics/spec.js";
import { filterInForce } from "./incident-counting.js";
import type { MetricExplanation, QueryContext } from "./types.js";

// `explain <metric>`: the definition in force (docs/metrics.md with this installation's settings), the
// formula, the configured thresholds, and what the stored data covers: how many deployments lack
// commits, incidents on unmapped services, samples left out and why (issue 3); each metric's module
// words its own (src/metrics/<family>/<id>.ts).

export async function explainMetric(ctx: QueryContext, metric: MetricId): Promise<MetricExplanation> {
  const info = METRICS[metric];
  const filters = ctx.store.incidentFilters;
  const input: ExplainInput = {
    config: ctx.config,
    filters: { changeFailure: filterInForce(filters, null, "change_failure"), recovery: filterInForce(filters, null, "recovery") },
    nowMs: ctx.nowMs,
  };
  const definition = info.explain(input);
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
    coverage: await coverageLines(ctx, metric, input),
    methods: info.methods,
  };
}

/** The metric's coverage lines are awaited like its read (issue 19: the PostgreSQL store answers asynchronously). */
async function coverageLines(ctx: QueryContext, metric: MetricId, input: ExplainInput): Promise<string[]> {
  const reads = ctx.store.explain;
  const lines = await METRICS[metric].coverage(reads, input);
  const withoutTeam = await reads.servicesWithoutTeam();
  if (withoutTeam > 0) lines.push(`${withoutTeam.toLocaleString("en-US")} services belong to no team in the config: they count for the organisation and for themselves only.`);
  return lines;
}
