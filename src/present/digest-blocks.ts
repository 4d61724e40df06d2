import { failedDeploymentRecoveryLine, isThinSample, isWithinNoise, type DigestModel } from "./digest-model.js";
import { formatChange, formatValue, formatVersus } from "./format-value.js";
import { seriesSparkline } from "./sparkline.js";
import type { SlackBlock } from "./slack-block.js";
import { formatP, pText } from "../metrics/findings.js";
import { noDataLine, quietLines, reviewLine, tableNotes } from "./digest-text.js";

type KnownBlock = SlackBlock;

const STATUS_ICON: Record<string, string> = { ok: ":large_green_circle:", warn: ":large_yellow_circle:", critical: ":red_circle:" };

/** The weekly digest as a Slack message (the chart is uploaded separately, in its thread). */
export function digestBlocks(model: DigestModel): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: `Weekly digest: ${model.team.name}`.slice(0, 150) } },
    { type: "context", elements: [{ type: "mrkdwn", text: `${model.weekLabel} · ${model.zone}` }] },
  ];
  if (model.kpis.length === 0) {
    blocks.push(section(noDataLine(model)));
  } else {
    const mover = model.biggestMover;
    if (!mover) blocks.push(section(quietLines(model).map((l) => l.trim()).join("\n")));
    if (mover) {
      const a = mover.answer;
      const why = mover.basis === "change" ? `significant, ${pText(mover.pValue)}, Holm-adjusted ${formatP(mover.adjustedP)}; n = ${a.previous.sample_size} → ${a.sample_size}` : `sustained 12-week trend, Holm-adjusted ${pText(mover.adjustedP)}`;
      const lines = [`*Biggest mover: ${a.label}* ${formatValue(a.value, a.unit)} (${formatChange(a.change.absolute, a.change.percent, a.unit)} week over week; ${why})`];
      const kind = a.drivers.find((d) => d.contribution !== null)?.kind;
      for (const d of a.drivers.filter((x) => x.kind === kind && x.contribution !== null).slice(0, 4)) {
        const share = d.share === null ? "" : ` — ${Math.round(d.share)} % of the change`;
        lines.push(`• ${d.label}${share}${d.detail ? ` (${d.detail})` : ""}`);
      }
      if (a.findings[0]) lines.push(`:thinking_face: _${a.findings[0].text}_`);
      blocks.push(section(lines.join("\n")));
    }
    blocks.push({ type: "divider" });
    // One line per KPI keeps the message under Slack's 50-block limit for all 12 metrics.
    const rows = model.kpis.map((kpi) => {
      const { answer: a, fourWeekAverage } = kpi;
      const icon = a.threshold.status ? `${STATUS_ICON[a.threshold.status]} ` : "";
      const tier = a.tier ? ` · ${a.tier}` : "";
      // "(thin)", not the table's "*": a lone asterisk can pair up with a bold marker in mrkdwn.
      const n = `n=${a.sample_size}${isThinSample(kpi, model.minSampleSize) ? " (thin)" : ""}`;
      // Slack has no grey text: a change within normal variation is set in italics and parentheses.
      const wow = `WoW ${formatChange(a.change.absolute, a.change.percent, a.unit)}`;
      const change = isWithinNoise(kpi) ? `_(${wow})_` : wow;
      return `${icon}*${a.label}* ${formatValue(a.value, a.unit)} · ${n} · ${change} · vs 4-wk ${formatVersus(a.value, fourWeekAverage, a.unit)}${tier} \`${seriesSparkline(a.series)}\``;
    });
    for (let i = 0; i < rows.length; i += 6) blocks.push(section(rows.slice(i, i + 6).join("\n")));
    const notes = tableNotes(model).map((note) => note.replace(/^\* fewer/, "thin: fewer"));
    if (notes.length > 0) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: notes.join("  ").slice(0, 3000) }] });
    const recovery = failedDeploymentRecoveryLine(model.kpis, (h) => formatValue(h, "hours"));
    if (recovery) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: recovery }] });
  }
  if (model.annotations.length > 0) {
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `:pushpin: ${model.annotations.map((a) => `${a.at.slice(0, 10)} ${a.text}`).join(" · ")}`.slice(0, 3000) }],
    });
  }
  const overdue = model.reviews.filter((r) => r.overdue).length;
  const reviewText =
    model.reviews.length === 0
      ? "*Post-incident reviews:* none open."
      : [`*Post-incident reviews:* ${model.reviews.length} open${overdue ? `, ${overdue} overdue` : ""}`, ...model.reviews.slice(0, 8).map((r) => `• ${reviewLine(r, model.zone)}`)].join("\n");
  const { incidents, done } = model.reviewCompletion;
  const unaccounted = Math.max(0, incidents - done - model.reviews.length);
  const completion = incidents > 0 ? `\nReviews completed: ${done} of ${incidents} SEV1/SEV2 incidents in 90 days (${Math.round((done / incidents) * 100)} %)${unaccounted > 0 ? `; ${unaccounted} with no review opened` : ""}` : "";
  blocks.push(section(reviewText + completion));
  return { text: `Weekly digest: ${model.team.name}, ${model.weekLabel}`, blocks };
}

function section(text: string): KnownBlock {
  return { type: "section", text: { type: "mrkdwn", text: text.slice(0, 3000) } };
}
