import type { MetricId, Unit } from "./metric-ids.js";

// The typed result of one `/kpi` question, rendered by the Slack layer and by `vitals ask`;
// `vitals ask --json` prints it as is. Field names are a public interface (README: "Answer JSON").

export type Tier = "elite" | "high" | "medium" | "low";
export type ThresholdStatus = "ok" | "warn" | "critical";

export interface IsoWindow {
  /** ISO 8601 UTC, inclusive. */
  from: string;
  /** ISO 8601 UTC, exclusive. */
  to: string;
}

interface AnswerScope {
  kind: "org" | "team" | "service";
  id: string | null;
}

export interface SeriesPoint extends IsoWindow {
  value: number | null;
  sample_size: number;
}

export interface Driver {
  /** What the driver is: a segment of the scope, an item, a lead-time stage, a PR-size bucket. */
  kind: "team" | "service" | "incident" | "deployment" | "stage" | "size_bucket" | "severity" | "share" | "outage";
  /** Human label: service id, incident title, stage name, ... */
  label: string;
  /** Contribution to the change, in the metric's unit (positive = the metric went up). */
  contribution: number | null;
  /**
   * Percent of the change this part explains; the drivers of one kind add up to the change and
   * their shares to 100 (null when nothing changed, and for items that are no part: failed deployments).
   */
  share: number | null;
  /** The remainder of a decomposition: the parts not shown (and, if any, the interaction). */
  rest?: true;
  previous?: number | null;
  current?: number | null;
  /** One line of detail: "mix +0.8 pp, rate +2.1 pp", "4.2 h to resolve, ack 12 min", ... */
  detail?: string;
  url?: string;
  service?: string | null;
}

/** A root-cause question earned by evidence: a pattern over-represented against its base rate. */
export interface Finding {
  /** weekday, pr_size, rollbacks, stage, service, incident, annotation, no_change, breach, ... */
  kind: string;
  /** The question as `prompts` lists it. */
  text: string;
  evidence: {
    /** Items showing the pattern (failures on the weekday, ...), or the observed value. */
    observed: number;
    /** What the base rate predicts for them. */
    expected: number;
    /** Items the base rate applies to. */
    n: number;
    /** One-sided test of the over-representation (null when the finding is a fact, not a test). */
    p_value: number | null;
  };
}

export interface AnswerAnnotation {
  at: string;
  text: string;
  service: string | null;
  team: string | null;
}

export interface KpiAnswer {
  metric: MetricId;
  label: string;
  window: IsoWindow & { label: string };
  scope: AnswerScope;
  /** The headline value, or null when there are no samples (shown "N/A"). */
  value: number | null;
  unit: Unit;
  /** As docs/metrics.md defines it per metric (deployments, lead-time samples, resolved incidents, ...). */
  sample_size: number;
  /** Every secondary figure docs/metrics.md names: mean, median, p90, count, failed, open_count, excluded, ... */
  stats: Record<string, number | null>;
  previous: { window: IsoWindow; value: number | null; sample_size: number };
  /**
   * value − previous value (percentage points for percent metrics) and relative change, unrounded;
   * `significant`/`p_value`/`test`: the standard two-sided test at α = 0.05 (null when none applies:
   * thin windows, levels).
   */
  change: { absolute: number | null; percent: number | null; significant: boolean | null; p_value: number | null; test: string | null };
  /** 95 % interval of the headline value (null when none applies). */
  interval: { low: number; high: number; level: number } | null;
  /** Mann–Kendall test of the 12 weekly points with a Theil–Sen slope. */
  trend: TrendTest;
  tier: Tier | null;
  threshold: { status: ThresholdStatus | null; warn: number | null; critical: number | null };
  /** Weekly points (ISO weeks in the scope's time zone) for the last 12 weeks. */
  series: SeriesPoint[];
  drivers: Driver[];
  /** The questions of `findings`, in order (and the "too thin" / "within normal variation" notes). */
  prompts: string[];
  /** Root-cause questions with their evidence. */
  findings: Finding[];
  annotations: AnswerAnnotation[];
  /** Short definition/context line: "median of 41 changes, deployed Mar 1–Mar 31". */
  definition: string;
  /** Caveats: thin data, labelled approximations ("plain mean of P95 samples"), exclusions. */
  notes: string[];
}

export interface TrendTest {
  test: "mann_kendall";
  /** Weekly points with a value. */
  n: number;
  p_value: number | null;
  significant: boolean | null;
  /** Theil–Sen slope: the median of the pairwise slopes, in the metric's unit per week. */
  slope_per_week: number | null;
  direction: "up" | "down" | "none";
}
