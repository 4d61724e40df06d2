import { METRIC_IDS, type MetricId } from "../domain/metric-ids.js";

// The words people type for each metric (issue 3). Matching is on whole words, longest alias first,
// so "error rate" wins over "errors" and "cost per user" over "cost". Canonical ids (with `_`, `-`
// or spaces) always work, so every question `formatKpiQuestion` prints parses back.

const ALIASES: Readonly<Record<MetricId, readonly string[]>> = {
  deployment_frequency: ["deploys", "deployments", "df", "deployment frequency", "deploy frequency"],
  lead_time: ["lead time", "ltfc", "lead time for changes", "lt"],
  change_failure_rate: ["cfr", "failure rate", "change failure rate"],
  mttr: ["mttr", "recovery", "time to recovery", "time to restore"],
  mtta: ["mtta", "time to acknowledge"],
  rework_rate: ["rework", "rework rate", "deployment rework rate"],
  uptime: ["uptime", "availability", "sla"],
  latency_p95: ["latency", "p95", "api latency", "latency p95"],
  error_rate: ["errors", "error rate"],
  coverage: ["coverage", "code coverage"],
  tech_debt_ratio: ["debt", "tech debt", "technical debt", "tech debt ratio"],
  cost_per_user: ["cost", "cost per user", "infra cost", "infrastructure cost"],
};

/** The alias shown first in help and "expected" lists: the shortest thing people type. */
export const PREFERRED_ALIAS: Readonly<Record<MetricId, string>> = Object.fromEntries(
  METRIC_IDS.map((id) => [id, ALIASES[id][0]]),
) as Record<MetricId, string>;

interface AliasEntry {
  readonly words: readonly string[];
  readonly metric: MetricId;
}

/** Every alias (plus the ids, spelt with `_`, `-` or spaces) as word lists, longest first. */
const ENTRIES: readonly AliasEntry[] = METRIC_IDS.flatMap((metric) => {
  const spellings = new Set([...ALIASES[metric], metric, metric.replaceAll("_", "-"), metric.replaceAll("_", " ")]);
  return [...spellings].map((alias) => ({ words: alias.split(" "), metric }));
}).sort((a, b) => b.words.length - a.words.length);

/** All alias spellings, for "did you mean" suggestions. */
export const ALL_ALIASES: readonly string[] = ENTRIES.map((e) => e.words.join(" "));

/** The metric named at the start of `words`, and how many words it took; undefined if none. */
export function matchMetric(words: readonly string[]): { metric: MetricId; length: number } | undefined {
  for (const entry of ENTRIES) {
    if (entry.words.length > words.length) continue;
    if (entry.words.every((word, i) => words[i] === word)) return { metric: entry.metric, length: entry.words.length };
  }
  return undefined;
}

/** The metric one whole string names (e.g. `explain p95`), or undefined. */
export function metricByName(text: string): MetricId | undefined {
  const words = text.split(" ").filter(Boolean);
  const match = matchMetric(words);
  return match && match.length === words.length ? match.metric : undefined;
}
