import { DateTime } from "luxon";
import type { Direction } from "../../domain/metric-ids.js";
import type { IsoWindow, ThresholdStatus, Tier } from "../../domain/answer.js";

// Slack-specific text bits (mrkdwn escaping, emoji, dates in a zone). Number formatting lives in
// src/present/format-value.ts (the one value formatter).

/** Slack mrkdwn needs &, < and > escaped; everything else is literal. https://docs.slack.dev/messaging/formatting-message-text#escaping */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Cut to `max` characters with an ellipsis (Block Kit rejects longer texts outright). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "Mar 1–Mar 31" (or with years when the window spans two), in the zone; `to` is exclusive. */
export function formatWindowRange(window: IsoWindow, zone: string): string {
  const from = DateTime.fromISO(window.from, { zone: "utc" }).setZone(zone);
  const to = DateTime.fromISO(window.to, { zone: "utc" }).minus({ milliseconds: 1 }).setZone(zone);
  if (!from.isValid || !to.isValid) return `${window.from} – ${window.to}`;
  const sameYear = from.year === to.year;
  const format = sameYear ? "LLL d" : "LLL d, yyyy";
  const range = from.hasSame(to, "day") ? from.toFormat(format) : `${from.toFormat(format)}–${to.toFormat(format)}`;
  return sameYear ? `${range}, ${from.year}` : range;
}

export function formatDateInZone(iso: string, zone: string): string {
  const at = DateTime.fromISO(iso, { zone: "utc" }).setZone(zone);
  return at.isValid ? at.toFormat("LLL d") : iso;
}

export type Trend = "better" | "worse" | "flat" | "unknown";

/** Whether a change is good news, given which way is bad for the metric. */
export function trendOf(change: number | null, direction: Direction): Trend {
  if (change === null || !Number.isFinite(change)) return "unknown";
  if (change === 0) return "flat";
  const up = change > 0;
  return (direction === "higher_is_worse") === up ? "worse" : "better";
}

export function arrow(change: number | null): string {
  if (change === null || change === 0) return "→";
  return change > 0 ? "↑" : "↓";
}

export const TREND_EMOJI: Record<Trend, string> = {
  better: ":large_green_circle:",
  worse: ":red_circle:",
  flat: ":white_circle:",
  unknown: ":white_circle:",
};

export function statusEmoji(status: ThresholdStatus | null): string {
  switch (status) {
    case "ok":
      return ":white_check_mark:";
    case "warn":
      return ":warning:";
    case "critical":
      return ":rotating_light:";
    default:
      return ":heavy_minus_sign:";
  }
}

export function tierLabel(tier: Tier | null): string {
  return tier === null ? "no tier" : `${tier[0]!.toUpperCase()}${tier.slice(1)}`;
}
