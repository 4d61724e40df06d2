import type { MetricId, Unit } from "../domain/metric-ids.js";

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

export interface AnswerScope {
  kind: "org" | "team" | "service";
  id: string | null;
}

export interface SeriesPoint extends IsoWindow {
  value: number | null;
  sample_size: number;
}

export interface Driver {
  /** What the driver is: a segment of the scope, an item, a lead-time stage, a PR-size bucket. */
  kind: "team" | "service" | "incident" | "deployment" | "stage" | "size_bucket" | "share";
  /** Human label: service id, incident title, stage name, ... */
  label: string;
  /** Contribution to the change, in the metric's unit (positive = the metric went up). */
  contribution: number | null;
  /** Share of the total change explained, 0..1 (null when the total change is 0). */
  share: number | null;
  previous?: number | null;
  current?: number | null;
  /** One line of detail: "mix +0.8 pp, rate +2.1 pp", "4.2 h to resolve, ack 12 min", ... */
  detail?: string;
  url?: string;
  service?: string | null;
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
  /** As METRICS.md defines it per metric (deployments, lead-time samples, resolved incidents, ...). */
  sample_size: number;
  /** Every secondary figure METRICS.md names: mean, median, p90, count, failed, open_count, excluded, ... */
  stats: Record<string, number | null>;
  previous: { window: IsoWindow; value: number | null; sample_size: number };
  change: {
    absolute: number | null;
    percent: number | null;
    /** Whether the change is beyond normal week-to-week variation (METRICS.md's test); null when untested. */
    significant?: boolean | null;
    p_value?: number | null;
    test?: string | null;
  };
  tier: Tier | null;
  threshold: { status: ThresholdStatus | null; warn: number | null; critical: number | null };
  /** Weekly points (ISO weeks in the scope's time zone) for the last 12 weeks. */
  series: SeriesPoint[];
  drivers: Driver[];
  prompts: string[];
  annotations: AnswerAnnotation[];
  /** Short definition/context line: "median of 41 changes, deployed Mar 1–Mar 31". */
  definition: string;
  /** Caveats: thin data, labelled approximations ("plain mean of P95 samples"), exclusions. */
  notes: string[];
}
