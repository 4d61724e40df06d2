import { level } from "./compute.js";
import type { MetricDefinition, MetricSpec } from "../spec.js";
import { MEAN, REST, SPEC, TREND } from "../words.js";

// What the two levels, code coverage and technical debt ratio, share (docs/metrics.md "Quality"):
// the latest value in the window per service, averaged; no test (a level is not a sample).

export type LevelData = Parameters<typeof level>;

export function levelDefinition(extra: string): MetricDefinition {
  return {
    definition: `A level, not a flow: the latest value in the window, with its change since the window's start.${extra}`,
    formula: "latest sample in the window (per service; team and org pool services); change = latest − last value before the window",
    tiers: "none",
    basis: [{ source: SPEC, text: "level semantics" }],
    settings: [],
  };
}

export const LEVEL_METHODS: MetricSpec["methods"] = {
  attribution: `${MEAN} (mean of the services' latest values); ${REST}`,
  test: `none (a level): significant is null; ${TREND}`,
  interval: "none",
};

export const levelDefinitionLine: MetricSpec["definitionLine"] = ({ sample_size: n }, windowLabel) => `latest value of ${n} services in ${windowLabel}, averaged`;

export const computeLevel: MetricSpec<LevelData>["compute"] = (data) => level(...data);
