import type { MetricId } from "../domain/metric-ids.js";
import { METRICS } from "../metrics/catalog.js";
import type { KpiAnswer } from "../domain/answer.js";
import { scopeText } from "./blocks/answer.js";

// The "no data — here is how to connect a source" answer, in the same words in Slack
// (src/present/blocks/errors.ts) and in the CLI (src/present/answer-text.ts).

/** Which source feeds a metric, and how to connect it (README sections): the metric module's hint. */
export const howToConnect = (metric: MetricId): string => METRICS[metric].howToConnect;

/** An answer with nothing behind it (not a zero: no samples at all). */
export function isNoData(answer: KpiAnswer): boolean {
  return answer.sample_size === 0 && (answer.value === null || answer.metric === "deployment_frequency");
}

/** "Change failure rate for payments in the last 30 days". */
export function noDataSubject(answer: KpiAnswer): string {
  return `${METRICS[answer.metric].label} for ${scopeText(answer)} in ${answer.window.label}`;
}

/** The plain-text answer (CLI). */
export function noDataText(answer: KpiAnswer): string {
  return `No data for ${noDataSubject(answer)} — here is how to connect a source:\n${howToConnect(answer.metric)}.\n\`vitals ask "explain ${answer.metric}"\` shows what the metric needs.`;
}
