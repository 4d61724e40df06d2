import { METRICS, type MetricId } from "../../domain/metric-ids.js";
import type { KpiAnswer } from "../../query/answer.js";
import type { RenderedMessage } from "./answer.js";
import { scopeText } from "./answer.js";
import { escapeMrkdwn } from "./format-slack.js";
import { context, section } from "./kit.js";

// The error answers of issue 8: each says what went wrong and what to do next; none shows a stack.

export function parseErrorBlocks(question: string, error: string): RenderedMessage {
  return {
    text: `I could not read "${question}": ${error}`,
    blocks: [
      section(`:thinking_face: I could not read \`/kpi ${escapeMrkdwn(question)}\`\n${escapeMrkdwn(error)}`),
      context(["Try `/kpi mttr last 30 days`, `/kpi summary for team payments`, or `/kpi help` for the grammar."]),
    ],
  };
}

/** Which source feeds a metric, and how to connect it (README sections). */
const HOW_TO_CONNECT: Record<MetricId, string> = {
  deployment_frequency: "deployments come from GitHub: set `GITHUB_TOKEN` and `services[].github.repo` in vitals.yml, then `/kpi sync`",
  lead_time: "lead time needs deployments with their commits from GitHub: set `GITHUB_TOKEN` and `services[].github.repo`, then `/kpi sync`",
  change_failure_rate: "needs deployments (GitHub) and incidents (PagerDuty): set `GITHUB_TOKEN` and `PAGERDUTY_TOKEN` and map services in vitals.yml",
  mttr: "incidents come from PagerDuty: set `PAGERDUTY_TOKEN` and `services[].pagerduty.service_id`, then `/kpi sync`",
  mtta: "incidents come from PagerDuty: set `PAGERDUTY_TOKEN` and `services[].pagerduty.service_id`, then `/kpi sync`",
  rework_rate: "deployments come from GitHub: set `GITHUB_TOKEN` and `services[].github.repo`, then `/kpi sync`",
  uptime: "uptime comes from Prometheus (`PROMETHEUS_URL`) or is derived from PagerDuty incidents; `vitals import` works too",
  latency_p95: "latency comes from Prometheus: set `PROMETHEUS_URL` and `services[].prometheus`, or push samples to the ingest API",
  error_rate: "error rates come from Prometheus: set `PROMETHEUS_URL` and `services[].prometheus`, or push samples to the ingest API",
  coverage: "coverage comes from SonarQube (`SONAR_URL`, `SONAR_TOKEN`, `services[].sonar.project_key`) or a coverage file import",
  tech_debt_ratio: "the debt ratio comes from SonarQube: set `SONAR_URL`, `SONAR_TOKEN` and `services[].sonar.project_key`",
  cost_per_user: "cost comes from a FOCUS cost file and `active_users` samples: `vitals import` (see the README)",
};

export function isNoData(answer: KpiAnswer): boolean {
  return answer.sample_size === 0 && (answer.value === null || answer.metric === "deployment_frequency");
}

export function noDataBlocks(answer: KpiAnswer): RenderedMessage {
  const what = `${METRICS[answer.metric].label} for ${scopeText(answer)} in ${answer.window.label}`;
  return {
    text: `No data for ${what}`,
    blocks: [
      section(`:information_source: No data for *${escapeMrkdwn(what)}* — here is how to connect a source:\n${HOW_TO_CONNECT[answer.metric]}.`),
      context(["`/kpi explain " + answer.metric + "` shows what the metric needs; admins can run `/kpi sync` after connecting."]),
    ],
  };
}

export function internalErrorBlocks(errorId: string): RenderedMessage {
  return {
    text: `Sorry, something went wrong on my side (error id ${errorId}).`,
    blocks: [
      section(`:face_with_head_bandage: Sorry, something went wrong on my side. Please try again in a minute.`),
      context([`If it keeps happening, give your Vitals admin the error id \`${errorId}\` (it is in the app's log).`]),
    ],
  };
}

export function notAdminBlocks(command: string): RenderedMessage {
  return {
    text: `Sorry, /kpi ${command} is for Vitals admins.`,
    blocks: [
      section(`:lock: Sorry, \`/kpi ${escapeMrkdwn(command)}\` is for Vitals admins (listed in \`VITALS_ADMINS\`) and workspace admins.`),
      context(["Anyone can ask questions: try `/kpi summary` or `/kpi help`."]),
    ],
  };
}

/** A short confirmation or a usage problem from a subcommand; `mrkdwn` is already escaped. */
export function noticeBlocks(mrkdwn: string, detail?: string): RenderedMessage {
  return { text: mrkdwn, blocks: [section(mrkdwn), ...(detail ? [context([detail])] : [])] };
}
