import { METRIC_IDS, type MetricId } from "../domain/metric-ids.js";
import { METRICS } from "../metrics/catalog.js";

// The words people type for each metric (issue 3), as each metric's module lists them. Matching is on whole words, longest alias first,
// so "error rate" wins over "errors" and "cost per user" over "cost". Canonical ids (with `_`, `-`
// or spaces) always work, so every question `formatKpiQuestion` prints parses back.

const ALIASES = (metric: MetricId): readonly string[] => METRICS[metric].aliases;

/** The alias shown first in help and "expected" lists: the shortest thing people type. */
export const PREFERRED_ALIAS: Readonly<Record<MetricId, string>> = Object.fromEntries(
  METRIC_IDS.map((id) => [id, ALIASES(id)[0]]),
) as Record<MetricId, string>;

interface AliasEntry {
  readonly words: readonly string[];
  readonly metric: MetricId;
}

/** Every alias (plus the ids, spelt with `_`, `-` or spaces) as word lists, longest first. */
const ENTRIES: readonly AliasEntry[] = METRIC_IDS.flatMap((metric) => {
  const spellings = new Set([...ALIASES(metric), metric, metric.replaceAll("_", "-"), metric.replaceAll("_", " ")]);
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
