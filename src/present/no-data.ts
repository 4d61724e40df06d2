import { METRICS, type MetricId } from "../domain/metric-ids.js";
import type { KpiAnswer } from "../domain/answer.js";
import { scopeText } from "./blocks/answer.js";

// The "no data — here is how to connect a source" answer, in the same words in Slack
// (src/present/blocks/errors.ts) and in the CLI (src/present/answer-text.ts).

/** Deployments come from either forge; the same settings text wherever a metric needs them. */
const FORGE = "GitHub or GitLab";
const FORGE_SETUP = "set `GITHUB_TOKEN` and `services[].github.repo` (GitHub) or `GITLAB_TOKEN` and `services[].gitlab.project` (GitLab)";

/** Which source feeds a metric, and how to connect it (README sections). */
export const HOW_TO_CONNECT: Record<MetricId, string> = {
  deployment_frequency: `deployments come from ${FORGE}: ${FORGE_SETUP} in vitals.yml, then \`vitals sync\` (or \`/kpi sync\`)`,
  lead_time: `lead time needs deployments with their commits from ${FORGE}: ${FORGE_SETUP}, then \`vitals sync\` (or \`/kpi sync\`)`,
  change_failure_rate: `needs deployments (${FORGE}) and incidents (PagerDuty): set \`GITHUB_TOKEN\` or \`GITLAB_TOKEN\`, and \`PAGERDUTY_TOKEN\`, and map services in vitals.yml`,
  mttr: "incidents come from PagerDuty: set `PAGERDUTY_TOKEN` and `services[].pagerduty.service_id`, then `vitals sync` (or `/kpi sync`)",
  mtta: "incidents come from PagerDuty: set `PAGERDUTY_TOKEN` and `services[].pagerduty.service_id`, then `vitals sync` (or `/kpi sync`)",
  rework_rate: `deployments come from ${FORGE}: ${FORGE_SETUP}, then \`vitals sync\` (or \`/kpi sync\`)`,
  uptime: "uptime comes from Prometheus (`PROMETHEUS_URL`) or is derived from PagerDuty incidents; `vitals import` works too",
  latency_p95: "latency comes from Prometheus: set `PROMETHEUS_URL` and `services[].prometheus`, or push samples to the ingest API",
  error_rate: "error rates come from Prometheus: set `PROMETHEUS_URL` and `services[].prometheus`, or push samples to the ingest API",
  coverage: "coverage comes from SonarQube (`SONAR_URL`, `SONAR_TOKEN`, `services[].sonar.project_key`) or a coverage file import",
  tech_debt_ratio: "the debt ratio comes from SonarQube: set `SONAR_URL`, `SONAR_TOKEN` and `services[].sonar.project_key`",
  cost_per_user: "cost comes from a FOCUS cost file and `active_users` samples: `vitals import` (see the README)",
};

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
  return `No data for ${noDataSubject(answer)} — here is how to connect a source:\n${HOW_TO_CONNECT[answer.metric]}.\n\`vitals ask "explain ${answer.metric}"\` shows what the metric needs.`;
}
