import type { MetricId } from "../../src/domain/metric-ids.js";
import { METRICS } from "../../src/metrics/catalog.js";
import type { KpiAnswer } from "../../src/domain/answer.js";

// Small KpiAnswer factory for render tests: a plausible MTTR answer, overridable field by field.

export function kpiAnswer(overrides: Partial<KpiAnswer> & { metric?: MetricId } = {}): KpiAnswer {
  const metric = overrides.metric ?? "mttr";
  const info = METRICS[metric];
  const weeks = Array.from({ length: 12 }, (_, i) => {
    const from = new Date(Date.UTC(2026, 0, 5 + i * 7)).toISOString();
    const to = new Date(Date.UTC(2026, 0, 12 + i * 7)).toISOString();
    return { from, to, value: i === 3 ? null : 2 + i * 0.5, sample_size: i === 3 ? 0 : 3 };
  });
  return {
    metric,
    label: info.label,
    window: { from: "2026-02-28T23:00:00.000Z", to: "2026-03-31T22:00:00.000Z", label: "last month" },
    scope: { kind: "team", id: "payments" },
    value: 4.25,
    unit: info.unit,
    sample_size: 12,
    stats: { mean: 4.25, median: 3.1, p90: 9.5 },
    previous: { window: { from: "2026-01-29T00:00:00.000Z", to: "2026-03-01T00:00:00.000Z" }, value: 3.1, sample_size: 9 },
    change: { absolute: 1.15, percent: 37.1, significant: null, p_value: null, test: null },
    tier: "high",
    interval: null,
    trend: { test: "mann_kendall", n: 0, p_value: null, significant: null, slope_per_week: null, direction: "none" },
    findings: [],
    threshold: { status: "warn", warn: 4, critical: 8 },
    series: weeks,
    drivers: [
      { kind: "incident", label: "Checkout 500s after <deploy> & rollback", contribution: 0.9, share: 78, detail: "6.2 h to resolve", url: "https://pd.example/incidents/Q1" },
      { kind: "service", label: "payments-api", contribution: 0.3, share: 22 },
    ],
    prompts: ["Was the on-call rota paused in March?"],
    annotations: [{ at: "2026-03-02T10:00:00.000Z", text: "Release train moved to Fridays", service: null, team: "payments" }],
    definition: "mean of 12 resolved incidents, resolved Mar 1–Mar 31",
    notes: ["2 incidents still open (oldest 3 d) are excluded"],
    ...overrides,
  };
}
