import type { KpiAnswer } from "../../src/domain/answer.js";
import type { MetricId } from "../../src/domain/metric-ids.js";
import { METRICS } from "../../src/metrics/catalog.js";

// The one KpiAnswer builder for tests: a plausible answer for `metric` (label and unit from the catalog),
// then each `overrides` object laid over it in order, so a test file can keep its scenario in one
// constant and vary a field per test: `kpiAnswer("mttr", lastMonth, { value: null })`.

const WEEK_MS = 7 * 86_400_000;

/** Twelve weekly buckets from Monday 2026-01-05, values 5, 6, 7, … */
const weeklySeries = (): KpiAnswer["series"] =>
  Array.from({ length: 12 }, (_, i) => {
    const from = Date.parse("2026-01-05T00:00:00Z") + i * WEEK_MS;
    return { from: new Date(from).toISOString(), to: new Date(from + WEEK_MS).toISOString(), value: 5 + i, sample_size: 10 };
  });

export function kpiAnswer(metric: MetricId, ...overrides: Partial<KpiAnswer>[]): KpiAnswer {
  const info = METRICS[metric];
  const base: KpiAnswer = {
    metric,
    label: info.label,
    window: { from: "2026-03-23T00:00:00.000Z", to: "2026-03-30T00:00:00.000Z", label: "last 7 days" },
    scope: { kind: "team", id: "payments" },
    value: 12,
    unit: info.unit,
    sample_size: 20,
    stats: {},
    previous: { window: { from: "2026-03-16T00:00:00.000Z", to: "2026-03-23T00:00:00.000Z" }, value: 8, sample_size: 18 },
    change: { absolute: 4, percent: 50, significant: true, p_value: 0.001, test: "fisher_exact" },
    tier: null,
    interval: null,
    trend: { test: "mann_kendall", n: 0, p_value: null, significant: null, slope_per_week: null, direction: "none" },
    findings: [],
    threshold: { status: null, warn: null, critical: null },
    series: weeklySeries(),
    drivers: [],
    prompts: [],
    annotations: [],
    definition: "test",
    notes: [],
  };
  return Object.assign(base, ...overrides);
}
