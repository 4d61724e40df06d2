import { isNoData, noDataText } from "./no-data.js";
import { METRICS } from "../metrics/catalog.js";
import type { Driver, KpiAnswer } from "../domain/answer.js";
import type { MetricExplanation, QuestionResult } from "../query/types.js";
import {
  arrow,
  formatChange,
  formatSigned,
  formatShare,
  formatStat,
  formatValue,
  formatWindowRange,
  sampleNoun,
  seriesSparkline,
  trendWord,
} from "./format.js";
import { partialWeeks } from "./sparkline.js";
import { pText } from "../metrics/findings.js";

// Plain-text rendering of a question's result for `vitals ask` (Slack renders the same result as
// Block Kit in src/present/blocks/). Pure: the time zone for dates comes in as an option.

export interface TextOptions {
  /** Zone for the dates shown (the team's, else the config's). */
  readonly zone: string;
}

export function renderQuestionResult(result: QuestionResult, options: TextOptions): string {
  switch (result.kind) {
    case "help":
      return result.text;
    case "explain":
      return renderExplanation(result.explanation);
    case "summary":
      return renderSummary(result.answers, options);
    case "answer":
      // The same "no data — here is how to connect a source" answer as in Slack.
      if (isNoData(result.answer) && !result.compared) return noDataText(result.answer);
      return [renderAnswer(result.answer, options), ...(result.compared ? ["", renderComparison(result.answer, result.compared, options)] : [])].join("\n");
  }
}

function scopeText(answer: KpiAnswer): string {
  return answer.scope.kind === "org" ? "organisation" : `${answer.scope.kind} ${answer.scope.id}`;
}

export function renderAnswer(answer: KpiAnswer, options: TextOptions): string {
  const lines: string[] = [];
  lines.push(`${answer.label} — ${scopeText(answer)}, ${answer.window.label} (${formatWindowRange(answer.window, options.zone)})`);
  lines.push(`  ${formatValue(answer.value, answer.unit)}   ${trendLine(answer, options)}`);
  const status: string[] = [];
  status.push(`tier: ${answer.tier ?? "none"}`);
  if (answer.threshold.status !== null || answer.threshold.warn !== null) {
    status.push(`threshold: ${answer.threshold.status ?? "no value"} (warn ${formatValue(answer.threshold.warn, answer.unit)}, critical ${formatValue(answer.threshold.critical, answer.unit)})`);
  }
  status.push(`sample: n = ${answer.sample_size.toLocaleString("en-US")} ${sampleNoun(answer.metric)} (previous ${answer.previous.sample_size.toLocaleString("en-US")})`);
  if (answer.interval) status.push(`${Math.round(answer.interval.level * 100)} % interval ${formatValue(answer.interval.low, answer.unit)} – ${formatValue(answer.interval.high, answer.unit)}`);
  lines.push(`  ${status.join(" · ")}`);
  const stats = Object.entries(answer.stats).map(([name, value]) => `${name} ${formatStat(name, value, answer.metric)}`);
  if (stats.length > 0) lines.push(`  ${stats.join(" · ")}`);
  const spark = seriesSparkline(answer.series);
  if (spark) {
    // The newest week is often still running (or empty): name the latest full week that has a value.
    const partial = partialWeeks(answer.series);
    const latest = [...answer.series].reverse().find((p, i) => p.value !== null && !partial[answer.series.length - 1 - i]);
    const running = partial.some(Boolean) ? ", · this week so far" : "";
    lines.push(`  ${answer.series.length} weeks: ${spark}  (latest full week with data: ${formatValue(latest?.value ?? null, answer.unit)}${running}; ${trendText(answer)})`);
  }
  if (answer.definition) lines.push(`  ${answer.definition}`);
  if (answer.drivers.length > 0) {
    lines.push("Why it moved:");
    for (const driver of answer.drivers) lines.push(`  - ${driverLine(driver, answer)}`);
  }
  if (answer.prompts.length > 0) {
    lines.push("Questions to ask:");
    for (const prompt of answer.prompts) lines.push(`  - ${prompt}`);
  }
  const evidence = answer.findings.filter((f) => f.evidence.p_value !== null && f.kind !== "no_change");
  if (evidence.length > 0) {
    lines.push("Evidence:");
    for (const f of evidence) lines.push(`  - ${f.kind}: observed ${trimNumber(f.evidence.observed)}, expected ${trimNumber(f.evidence.expected)} of n = ${f.evidence.n} (${pText(f.evidence.p_value)})`);
  }
  if (answer.annotations.length > 0) {
    lines.push("Annotations in the window (a possible cause only when a finding above names it):");
    for (const a of answer.annotations) {
      const where = a.service ?? (a.team ? `team ${a.team}` : "everyone");
      lines.push(`  - ${a.at.slice(0, 10)} (${where}): ${a.text}`);
    }
  }
  if (answer.notes.length > 0) {
    lines.push("Notes:");
    for (const note of answer.notes) lines.push(`  - ${note}`);
  }
  return lines.join("\n");
}

function trendLine(answer: KpiAnswer, options: TextOptions): string {
  const previous = answer.previous.value;
  if (answer.value === null || previous === null) {
    return `previous ${formatValue(previous, answer.unit)} (${formatWindowRange(answer.previous.window, options.zone)}): no comparison`;
  }
  const change = shownChange(answer);
  return `${arrow(change)} ${formatChange(change, answer.change.percent, answer.unit)} vs previous period (${formatValue(previous, answer.unit)}): ${trendWord(change, METRICS[answer.metric].direction)}, ${significanceText(answer)}`;
}

/** "significant (fisher_exact, p = 0.003)", "within normal variation (p = 0.41)", or why no test applies. */
function significanceText(answer: KpiAnswer): string {
  const { significant, p_value, test } = answer.change;
  if (significant === null) {
    if (answer.change.absolute === null) return "";
    return answer.notes.some((n) => n.includes("too thin")) ? "too few samples to test" : "no test applies to this metric";
  }
  return significant ? `significant (${test}, ${pText(p_value)})` : `within normal variation (${test}, ${pText(p_value)})`;
}

/** The 12-week trend: Mann–Kendall with a Theil–Sen slope. */
function trendText(answer: KpiAnswer): string {
  const t = answer.trend;
  if (t.significant === null) return "too few weeks for a trend test";
  if (!t.significant) return `no sustained trend (Mann–Kendall ${pText(t.p_value)})`;
  return `sustained trend ${t.direction} ${formatSigned(t.slope_per_week, answer.unit)}/week (Mann–Kendall ${pText(t.p_value)})`;
}

function driverLine(driver: Driver, answer: KpiAnswer): string {
  const parts = [`${driver.kind} ${driver.label}${driver.contribution === null ? "" : `: ${formatSigned(driver.contribution, answer.unit)}`}`];
  if (driver.share !== null) parts.push(`(${shareText(driver.share)})`);
  if (driver.previous !== undefined) parts.push(`${formatValue(driver.previous, answer.unit)} → ${formatValue(driver.current ?? null, answer.unit)}`);
  let line = parts.join(" ");
  if (driver.detail) line += ` — ${driver.detail}`;
  if (driver.url) line += ` <${driver.url}>`;
  return line;
}

/**
 * The change as the reader sees it: one that rounds to nothing ("±0 pp", "±0 %") is shown as
 * unchanged, so the arrow and the improved/worsened word never contradict the printed number.
 */
function shownChange(answer: KpiAnswer): number | null {
  const { absolute, percent } = answer.change;
  if (absolute === null) return null;
  if (answer.unit === "percent" ? Math.abs(absolute) < 0.05 : percent !== null && Math.abs(percent) < 0.5) return 0;
  return absolute;
}

/** Percent of the change; offsetting parts (above 100 %, below 0 %) are fine as long as the whole adds up. */
function shareText(share: number): string {
  return `${formatShare(share)} of the change`;
}

const trimNumber = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

function renderComparison(answer: KpiAnswer, compared: KpiAnswer, options: TextOptions): string {
  const delta = answer.value !== null && compared.value !== null ? answer.value - compared.value : null;
  const percent = delta !== null && compared.value !== null && compared.value !== 0 ? (delta / Math.abs(compared.value)) * 100 : null;
  const direction = METRICS[answer.metric].direction;
  return [
    `Compared with ${compared.window.label} (${formatWindowRange(compared.window, options.zone)}): ${formatValue(compared.value, compared.unit)} from ${compared.sample_size.toLocaleString("en-US")} ${sampleNoun(compared.metric)}`,
    `  ${answer.window.label} vs ${compared.window.label}: ${arrow(delta)} ${formatChange(delta, percent, answer.unit)}, ${trendWord(delta, direction)}`,
  ].join("\n");
}

function renderSummary(answers: readonly KpiAnswer[], options: TextOptions): string {
  const first = answers[0];
  if (!first) return "No metrics.";
  const lines = [`DORA summary — ${scopeText(first)}, ${first.window.label} (${formatWindowRange(first.window, options.zone)})`];
  const width = Math.max(...answers.map((a) => a.label.length));
  for (const answer of answers) {
    const change = shownChange(answer);
    const trend = answer.value === null || answer.previous.value === null ? "no comparison" : `${arrow(change)} ${formatChange(change, answer.change.percent, answer.unit)} ${trendWord(change, METRICS[answer.metric].direction)}`;
    const spark = seriesSparkline(answer.series);
    const extras = [`tier ${answer.tier ?? "none"}`, answer.threshold.status ? `threshold ${answer.threshold.status}` : "", `n=${answer.sample_size}`, significanceText(answer)].filter(Boolean).join(", ");
    lines.push(`  ${answer.label.padEnd(width)}  ${formatValue(answer.value, answer.unit).padStart(12)}  ${trend.padEnd(24)} ${spark}  ${extras}`);
  }
  const prompts = answers.flatMap((a) => a.prompts).slice(0, 4);
  if (prompts.length > 0) {
    lines.push("Questions to ask:");
    for (const prompt of prompts) lines.push(`  - ${prompt}`);
  }
  return lines.join("\n");
}

function renderExplanation(e: MetricExplanation): string {
  const lines = [
    `${e.label} (${e.metric}, ${e.unit}, ${e.direction === "higher_is_worse" ? "higher is worse" : "lower is worse"})`,
    `Definition: ${e.definition}`,
    `Formula: ${e.formula}`,
    `Tiers: ${e.tiers}`,
    "Based on:",
    ...e.basis.map((b) => `  - ${b.source === "DORA" ? "DORA's published definition (docs/metrics.md is silent)" : "docs/metrics.md"}: ${b.text}`),
  ];
  if (e.settings.length > 0) lines.push("Settings in force:", ...e.settings.map((s) => `  - ${s.name}: ${s.value}`));
  lines.push("Thresholds:", ...(e.thresholds.length > 0 ? e.thresholds.map((t) => `  - ${t}`) : ["  - none configured"]));
  lines.push("Data coverage:", ...e.coverage.map((c) => `  - ${c}`));
  lines.push("Why it moved (attribution):", `  ${e.methods.attribution}`, "Signal or noise (test):", `  ${e.methods.test}`, `Interval: ${e.methods.interval}`);
  return lines.join("\n");
}
