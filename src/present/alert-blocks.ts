import { pastTheLine } from "../metrics/breach.js";
import type { KpiAnswer } from "../domain/answer.js";
import { formatValue } from "./format-value.js";
import type { SlackBlock } from "./slack-block.js";

// Threshold alert messages (pure). The Acknowledge button's value names the alert (metric and
// scope) so the action handler finds its stored state; action ids starting `alert:` are the jobs'.

type KnownBlock = SlackBlock;

export const ALERT_ACK_ACTION = "alert:ack";

export interface AlertView {
  readonly metric: string;
  readonly scopeKind: "org" | "team" | "service";
  readonly scopeId: string | null;
  readonly status: "warn" | "critical";
  readonly value: number | null;
  readonly warn: number;
  readonly critical: number;
  readonly answer: KpiAnswer;
}

export interface AlertKey {
  readonly metric: string;
  readonly scopeKind: "org" | "team" | "service";
  readonly scopeId: string | null;
}

function alertKeyValue(key: AlertKey): string {
  return JSON.stringify({ m: key.metric, k: key.scopeKind, i: key.scopeId });
}

export function parseAlertKeyValue(value: string): AlertKey | undefined {
  try {
    const v = JSON.parse(value) as { m?: unknown; k?: unknown; i?: unknown };
    if (typeof v.m !== "string" || (v.k !== "org" && v.k !== "team" && v.k !== "service")) return undefined;
    if (v.i !== null && typeof v.i !== "string") return undefined;
    return { metric: v.m, scopeKind: v.k, scopeId: v.i };
  } catch {
    return undefined;
  }
}

function scopeText(kind: string, id: string | null): string {
  return kind === "org" ? "the organisation" : `${kind} *${id}*`;
}

export function alertText(view: AlertView, escalation: boolean): string {
  const a = view.answer;
  const threshold = view.status === "critical" ? view.critical : view.warn;
  const verb = escalation ? "escalated to" : "is in";
  return `${a.label} for ${scopeText(view.scopeKind, view.scopeId).replace(/\*/g, "")} ${verb} ${view.status.toUpperCase()}: ${formatValue(view.value, a.unit)} (threshold ${formatValue(threshold, a.unit)}, ${a.window.label})`;
}

export function alertBlocks(view: AlertView, escalation: boolean): { text: string; blocks: KnownBlock[] } {
  const a = view.answer;
  const icon = view.status === "critical" ? ":red_circle:" : ":large_yellow_circle:";
  const threshold = view.status === "critical" ? view.critical : view.warn;
  const blocks: KnownBlock[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `${icon} *${a.label}* for ${scopeText(view.scopeKind, view.scopeId)} ${escalation ? "escalated to" : "is in"} *${view.status.toUpperCase()}*\n*${formatValue(view.value, a.unit)}* against a ${view.status} threshold of ${formatValue(threshold, a.unit)} (warn ${formatValue(view.warn, a.unit)}, critical ${formatValue(view.critical, a.unit)}) · ${a.window.label} · ${a.sample_size} samples`,
      },
    },
  ];
  if (a.drivers.length > 0) {
    // A breach is explained by what is over the line first (furthest in first), then the movers.
    const past = pastTheLine(a.metric, view.warn, a.drivers);
    const ordered = [...past, ...a.drivers.filter((d) => !past.includes(d))];
    const lines = ordered.slice(0, 3).map((d) => `• ${d.label}${d.share === null ? "" : ` — ${Math.round(d.share)} % of the change`}${d.detail ? ` (${d.detail})` : ""}`);
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `*Drivers*\n${lines.join("\n")}`.slice(0, 3000) } });
  }
  if (a.prompts.length > 0) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `*Worth asking*\n${a.prompts.slice(0, 2).map((p) => `• ${p}`).join("\n")}`.slice(0, 3000) } });
  }
  blocks.push({
    type: "actions",
    block_id: "alert_actions",
    elements: [
      { type: "button", action_id: ALERT_ACK_ACTION, text: { type: "plain_text", text: "Acknowledge" }, style: "primary", value: alertKeyValue(view) },
    ],
  });
  return { text: alertText(view, escalation), blocks };
}

export function alertReminderText(view: AlertView, sinceLabel: string): string {
  return `Still ${view.status.toUpperCase()} since ${sinceLabel} and not acknowledged: ${view.answer.label} is ${formatValue(view.value, view.answer.unit)}.`;
}

export function alertRecoveryText(answer: KpiAnswer, value: number | null): string {
  return `:white_check_mark: Recovered: ${answer.label} is back to ${formatValue(value, answer.unit)} (warn threshold ${formatValue(answer.threshold.warn, answer.unit)}).`;
}

/** The breach message once acknowledged: the button gives way to who acknowledged it. */
export function acknowledgedBlocks(original: readonly { readonly type: string }[], userId: string): KnownBlock[] {
  return [
    ...(original.filter((b) => b.type !== "actions") as KnownBlock[]),
    { type: "context", elements: [{ type: "mrkdwn", text: `:eyes: Acknowledged by <@${userId}>` }] },
  ];
}
