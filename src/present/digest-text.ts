import { DateTime } from "luxon";
import { formatP, pText } from "../metrics/findings.js";
import { failedDeploymentRecoveryLine, isThinSample, isWithinNoise, type BiggestMover, type DigestModel, type DigestReview } from "./digest-model.js";
import { formatChange, formatShare, formatValue, formatVersus } from "./format-value.js";
import { partialWeeks, seriesSparkline } from "./sparkline.js";
import { formatSigned } from "./format.js";

// The weekly digest as plain text: what `vitals digest` prints and the Slack message's fallback.

export function renderDigestText(model: DigestModel): string {
  const lines: string[] = [`Weekly digest: ${model.team.name}, ${model.weekLabel} (${model.zone})`, ""];
  if (model.kpis.length === 0) {
    lines.push(noDataLine(model));
  } else {
    if (model.biggestMover) lines.push(...moverLines(model.biggestMover), "");
    else lines.push(...quietLines(model), "");
    lines.push(...kpiTable(model));
    const recovery = failedDeploymentRecoveryLine(model.kpis, (h) => formatValue(h, "hours"));
    if (recovery) lines.push("", recovery);
  }
  if (model.annotations.length > 0) {
    lines.push("", "Annotations this week:");
    for (const a of model.annotations) lines.push(`  ${day(a.at, model.zone)}  ${a.text}${a.service ? ` (${a.service})` : ""}`);
  }
  lines.push("", ...reviewLines(model));
  return lines.join("\n") + "\n";
}

/** "No data yet for Payments: connect GitHub deployments, PagerDuty incidents." */
export function noDataLine(model: Pick<DigestModel, "team" | "missingSources">): string {
  const sources = model.missingSources.length > 0 ? model.missingSources.join(", ") : "a source, or import data with `vitals import`";
  return `No data yet for ${model.team.name}: connect ${sources}.`;
}

/** A week without a real mover says so, and lists the standing threshold breaches. */
export function quietLines(model: Pick<DigestModel, "team" | "breaches" | "kpis">): string[] {
  const lines = [`No KPI of ${model.team.name} moved beyond normal week-to-week variation (${model.kpis.length} KPIs, changes and 12-week trends tested, Holm-corrected).`];
  for (const k of model.breaches) {
    const a = k.answer;
    const line = a.threshold.status === "critical" ? a.threshold.critical : a.threshold.warn;
    lines.push(`  standing breach: ${a.label} ${formatValue(a.value, a.unit)} is ${a.threshold.status} (line ${formatValue(line, a.unit)})`);
  }
  return lines;
}

function moverLines(k: BiggestMover): string[] {
  const a = k.answer;
  const why =
    k.basis === "change"
      ? `significant: ${a.change.test}, ${pText(k.pValue)}, Holm-adjusted ${formatP(k.adjustedP)} over ${k.tests} tests, n = ${a.previous.sample_size} → ${a.sample_size}`
      : `sustained 12-week trend: Mann–Kendall ${pText(k.pValue)}, Holm-adjusted ${formatP(k.adjustedP)} over ${k.tests} tests`;
  const lines = [`Biggest mover: ${a.label} ${formatValue(a.value, a.unit)} (${formatChange(a.change.absolute, a.change.percent, a.unit)} week over week, was ${formatValue(a.previous.value, a.unit)}; ${why})`];
  // One decomposition: the first kind shown (team/service), parts and remainder.
  const kind = a.drivers.find((d) => d.contribution !== null)?.kind;
  for (const d of a.drivers.filter((x) => x.kind === kind && x.contribution !== null).slice(0, 4)) {
    const share = d.share === null ? "" : ` (${formatShare(d.share)} of the change)`;
    const contribution = d.contribution === null ? "" : ` ${formatSigned(d.contribution, a.unit)}`;
    lines.push(`  driver: ${d.label}${contribution}${share}${d.detail ? ` — ${d.detail}` : ""}`);
  }
  if (a.findings[0]) lines.push(`  ask: ${a.findings[0].text}`);
  return lines;
}


function kpiTable(model: DigestModel): string[] {
  const header = ["KPI", "This week", "n", "WoW", "vs 4-wk avg", "Tier", "Threshold", "12 weeks"];
  const rows = model.kpis.map((kpi) => {
    const { answer: a, fourWeekAverage } = kpi;
    const change = formatChange(a.change.absolute, a.change.percent, a.unit);
    return [
      a.label,
      formatValue(a.value, a.unit),
      `${a.sample_size}${isThinSample(kpi, model.minSampleSize) ? "*" : ""}`,
      isWithinNoise(kpi) ? `(${change})` : change,
      formatVersus(a.value, fourWeekAverage, a.unit),
      a.tier ?? "–",
      a.threshold.status ?? "–",
      seriesSparkline(a.series),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line), ...tableNotes(model)];
}

/** The footnotes the table's marks need, only when a row carries one. */
export function tableNotes(model: DigestModel): string[] {
  const notes: string[] = [];
  if (model.kpis.some((k) => isThinSample(k, model.minSampleSize))) notes.push(`* fewer than ${model.minSampleSize} samples this week: too few to read much into the change.`);
  if (model.kpis.some(isWithinNoise)) notes.push("(…) within normal week-to-week variation.");
  if (model.kpis.some((k) => partialWeeks(k.answer.series).some(Boolean))) notes.push("· in a sparkline: a week still in progress.");
  return notes;
}

export function reviewLines(model: Pick<DigestModel, "reviews" | "reviewCompletion" | "zone">): string[] {
  const lines: string[] = [];
  const overdue = model.reviews.filter((r) => r.overdue).length;
  if (model.reviews.length === 0) lines.push("Post-incident reviews: none open.");
  else {
    lines.push(`Post-incident reviews: ${model.reviews.length} open${overdue > 0 ? `, ${overdue} overdue` : ""}`);
    for (const r of model.reviews) lines.push(`  ${reviewLine(r, model.zone)}`);
  }
  const { incidents, done } = model.reviewCompletion;
  if (incidents > 0) {
    // The counts must agree: incidents neither reviewed nor with an open review were never opened for review.
    const unaccounted = Math.max(0, incidents - done - model.reviews.length);
    const where = unaccounted > 0 ? ` ${unaccounted} ${unaccounted === 1 ? "has" : "have"} no review opened.` : "";
    lines.push(`Reviews completed: ${done} of ${incidents} SEV1/SEV2 incidents in the last 90 days (${Math.round((done / incidents) * 100)} %).${where}`);
  }
  return lines;
}

export function reviewLine(r: DigestReview, zone: string): string {
  const owner = r.ownerName ?? (r.ownerSlackId ? `<@${r.ownerSlackId}>` : "no owner");
  return `${r.overdue ? "OVERDUE " : ""}${r.severity ? `[${r.severity}] ` : ""}${r.title} — ${owner}, due ${day(r.dueAtMs, zone)}`;
}

function day(at: string | number, zone: string): string {
  const dt = typeof at === "number" ? DateTime.fromMillis(at, { zone }) : DateTime.fromISO(at, { zone });
  return dt.toFormat("ccc d LLL");
}
