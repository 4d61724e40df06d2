import type { Unit } from "../../domain/metric-ids.js";
import { METRICS } from "../../metrics/catalog.js";
import type { Driver, KpiAnswer } from "../../domain/answer.js";
import { formatChange, formatSigned, formatValue } from "../format-value.js";
import { seriesSparkline } from "../sparkline.js";
import { sampleNoun } from "../format.js";
import {
  arrow,
  escapeMrkdwn,
  formatDateInZone,
  formatWindowRange,
  statusEmoji,
  tierLabel,
  TREND_EMOJI,
  trendOf,
} from "./format-slack.js";
import { pText } from "../../metrics/findings.js";
import { actions, bulletSection, context, fields, header, section, type SlackBlock } from "./kit.js";

// The Block Kit answer to one `/kpi` metric question. Pure: the listener passes the answer, the
// zone of the scope's team and the question (carried by the buttons so a click can re-ask it).

export const ANSWER_ACTIONS = {
  share: "kpi:share",
  drivers: "kpi:drivers",
  explain: "kpi:explain",
  /** The rows behind the headline as a CSV file, sent privately to whoever clicked. */
  rows: "kpi:rows",
} as const;

export interface AnswerRenderOptions {
  /** IANA zone the window and annotation dates are shown in (the scope's team, else the org's). */
  readonly zone: string;
  /** The question as asked (without `public`): the buttons' value. */
  readonly question: string;
  /** Posted in the channel already: no "Share in channel" button. */
  readonly shared?: boolean;
  /** An answer to compare with (`/kpi lead_time this month vs last month`). */
  readonly compared?: KpiAnswer;
  /** Who shared it, for the context line of a shared answer. */
  readonly sharedBy?: string;
}

export interface RenderedMessage {
  readonly text: string;
  readonly blocks: SlackBlock[];
}


const MAX_DRIVERS = 5;
const MAX_PROMPTS = 5;
const MAX_ANNOTATIONS = 8;

export function scopeText(answer: Pick<KpiAnswer, "scope">): string {
  return answer.scope.kind === "org" ? "whole org" : `${answer.scope.kind} ${answer.scope.id ?? ""}`;
}

export function sampleText(answer: Pick<KpiAnswer, "metric" | "sample_size">): string {
  return `n = ${answer.sample_size} ${sampleNoun(answer.metric)}`;
}

/** "↑ +35 % :red_circle: worse (was 3.1 h)". */
export function changeText(answer: KpiAnswer): string {
  const info = METRICS[answer.metric];
  const previous = formatValue(answer.previous.value, answer.unit);
  if (answer.change.absolute === null) return `${previous === "N/A" ? "no previous data" : `was ${previous}`}`;
  const trend = trendOf(answer.change.absolute, info.direction);
  const word = trend === "flat" ? "unchanged" : trend;
  return `${arrow(answer.change.absolute)} ${formatChange(answer.change.absolute, answer.change.percent, answer.unit)} ${TREND_EMOJI[trend]} ${word} (was ${previous})${significanceSuffix(answer)}`;
}

/** "· significant, p = 0.003" / "· within normal variation, p = 0.41" (nothing when no test applies). */
function significanceSuffix(answer: Pick<KpiAnswer, "change" | "previous" | "sample_size">): string {
  const { significant, p_value } = answer.change;
  if (significant === null) return "";
  const n = `n = ${answer.previous.sample_size} → ${answer.sample_size}`;
  return significant ? ` · significant (${pText(p_value)}, ${n})` : ` · within normal variation (${pText(p_value)}, ${n})`;
}

export function thresholdText(answer: KpiAnswer): string {
  const { status, warn, critical } = answer.threshold;
  if (warn === null || critical === null) return `${statusEmoji(null)} none set`;
  const bound = METRICS[answer.metric].direction === "higher_is_worse" ? "≥" : "≤";
  return `${statusEmoji(status)} ${status ?? "no data"} (warn ${bound} ${formatValue(warn, answer.unit)}, critical ${bound} ${formatValue(critical, answer.unit)})`;
}

function sparklineText(answer: KpiAnswer): string {
  const line = seriesSparkline(answer.series);
  return line.trim() === "" ? "no weekly data" : `\`${line}\``;
}


function driverLine(driver: Driver, unit: Unit): string {
  const label = driver.url ? `<${driver.url}|${escapeMrkdwn(driver.label)}>` : `*${escapeMrkdwn(driver.label)}*`;
  const parts = [label];
  if (driver.contribution !== null) parts.push(formatSigned(driver.contribution, unit));
  if (driver.share !== null && driver.share !== undefined) parts.push(`${Math.round(driver.share)} % of the change`);
  const detail = driver.detail ? ` — ${escapeMrkdwn(driver.detail)}` : "";
  return parts.join(" · ") + detail;
}

function contextLine(answer: KpiAnswer, zone: string): string {
  const range = formatWindowRange(answer.window, zone);
  return `${escapeMrkdwn(answer.definition)} · ${escapeMrkdwn(answer.window.label)} (${range}, ${zone})`;
}

function answerText(answer: KpiAnswer): string {
  return `${answer.label} for ${scopeText(answer)}, ${answer.window.label}: ${formatValue(answer.value, answer.unit)} (${sampleText(answer)})`;
}

export function answerBlocks(answer: KpiAnswer, options: AnswerRenderOptions): RenderedMessage {
  const blocks: SlackBlock[] = [
    header(`${answer.label} · ${scopeText(answer)}`),
    section(`*${formatValue(answer.value, answer.unit)}*  ${escapeMrkdwn(answer.window.label)} · ${sampleText(answer)}`),
    fields([
      `*vs previous ${escapeMrkdwn(answer.window.label)}*\n${changeText(answer)}`,
      `*Benchmark tier*\n${tierLabel(answer.tier)}`,
      `*Threshold*\n${thresholdText(answer)}`,
      `*Last 12 weeks*\n${sparklineText(answer)}`,
    ]),
  ];
  if (options.compared) {
    const c = options.compared;
    blocks.push(
      section(
        `*Compared with ${escapeMrkdwn(c.window.label)}:* ${formatValue(c.value, c.unit)} (${sampleText(c)}) · ${formatRelative(answer, c)}`,
      ),
    );
  }
  if (answer.drivers.length > 0) {
    blocks.push(bulletSection("Top drivers", answer.drivers.slice(0, MAX_DRIVERS).map((d) => driverLine(d, answer.unit))));
  }
  if (answer.prompts.length > 0) {
    blocks.push(bulletSection("Worth asking", answer.prompts.slice(0, MAX_PROMPTS).map(escapeMrkdwn)));
  }
  if (answer.annotations.length > 0) {
    blocks.push(
      bulletSection(
        "Annotations in the window",
        answer.annotations.slice(0, MAX_ANNOTATIONS).map((a) => {
          const where = a.service ?? a.team;
          return `${formatDateInZone(a.at, options.zone)}${where ? ` (${escapeMrkdwn(where)})` : ""}: ${escapeMrkdwn(a.text)}`;
        }),
      ),
    );
  }
  if (answer.notes.length > 0) blocks.push(context(answer.notes.map((n) => `_${escapeMrkdwn(n)}_`)));
  blocks.push(context([contextLine(answer, options.zone), ...(options.sharedBy ? [`shared by <@${options.sharedBy}>`] : [])]));
  const buttons = [
    ...(options.shared ? [] : [{ text: "Share in channel", actionId: ANSWER_ACTIONS.share, value: options.question, style: "primary" as const }]),
    ...(answer.drivers.length > 0 ? [{ text: "Show drivers", actionId: ANSWER_ACTIONS.drivers, value: options.question }] : []),
    { text: "Explain", actionId: ANSWER_ACTIONS.explain, value: answer.metric },
    { text: "Download rows", actionId: ANSWER_ACTIONS.rows, value: options.question },
  ];
  blocks.push(actions("kpi_answer_actions", buttons));
  return { text: answerText(answer), blocks };
}

function formatRelative(answer: KpiAnswer, compared: KpiAnswer): string {
  if (answer.value === null || compared.value === null) return "no comparison";
  const absolute = answer.value - compared.value;
  const percent = compared.value === 0 ? null : (absolute / Math.abs(compared.value)) * 100;
  const trend = trendOf(absolute, METRICS[answer.metric].direction);
  return `${arrow(absolute)} ${formatChange(absolute, percent, answer.unit)} ${TREND_EMOJI[trend]}`;
}

/** All drivers with their detail, for the "Show drivers" thread reply. */
export function driversBlocks(answer: KpiAnswer, zone: string): RenderedMessage {
  const lines = answer.drivers.map((d) => driverLine(d, answer.unit));
  return {
    text: `Drivers of ${answer.label} for ${scopeText(answer)}, ${answer.window.label}`,
    blocks: [
      section(`*Why ${escapeMrkdwn(answer.label)} moved* · ${scopeText(answer)} · ${escapeMrkdwn(answer.window.label)}`),
      lines.length > 0 ? bulletSection("Drivers", lines) : section("_Too little data to name drivers._"),
      ...(answer.prompts.length > 0 ? [bulletSection("Worth asking", answer.prompts.map(escapeMrkdwn))] : []),
      context([contextLine(answer, zone)]),
    ],
  };
}
