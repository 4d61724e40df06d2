import type { SlackBlock } from "./slack-block.js";
import { DateTime } from "luxon";

// Post-incident review messages and modals (pure). Action ids starting `review:` are the jobs';
// each button carries the review id as its value.

type KnownBlock = SlackBlock;
type View = SlackBlock;

export const REVIEW_ACTIONS = {
  done: "review:done",
  snooze: "review:snooze",
  notNeeded: "review:not_needed",
} as const;

/** Modal callback ids (view submissions). */
export const REVIEW_VIEWS = { done: "review:done_modal", notNeeded: "review:not_needed_modal" } as const;

export interface ReviewView {
  readonly id: number;
  readonly title: string;
  readonly severity: string | null;
  readonly urgency: string | null;
  readonly service: string | null;
  readonly url: string | null;
  readonly createdAtMs: number;
  readonly acknowledgedAtMs: number | null;
  readonly resolvedAtMs: number;
  readonly dueAtMs: number;
  readonly ownerSlackId: string | null;
  readonly ownerName: string | null;
  readonly deployment: { readonly id: string | null; readonly sha: string | null; readonly finishedAtMs: number | null; readonly url: string | null } | null;
  readonly zone: string;
}

export type ReviewMessageKind = "opened" | "before_due" | "due" | "overdue" | "escalation";

/** The systemic questions a review should answer (blameless: conditions, not culprits). */
const REVIEW_CHECKLIST = [
  "What conditions allowed this to happen, and what would have stopped it earlier?",
  "How was it detected, and how could detection be faster?",
  "What slowed the response or recovery, and what would speed it up?",
  "Which follow-up actions, with owners and dates, prevent a repeat?",
];

const at = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat("ccc d LLL HH:mm");

function durationText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours.toFixed(1).replace(/\.0$/, "")} h` : `${(hours / 24).toFixed(1).replace(/\.0$/, "")} d`;
}

function incidentName(r: ReviewView): string {
  const sev = r.severity ? `[${r.severity}] ` : "";
  return r.url ? `${sev}<${r.url}|${r.title}>` : `${sev}${r.title}`;
}

function timelineLines(r: ReviewView): string[] {
  const lines = [`• Created: ${at(r.createdAtMs, r.zone)}`];
  if (r.acknowledgedAtMs !== null) lines.push(`• Acknowledged: ${at(r.acknowledgedAtMs, r.zone)} (after ${durationText(r.acknowledgedAtMs - r.createdAtMs)})`);
  lines.push(`• Resolved: ${at(r.resolvedAtMs, r.zone)}`, `• Time to recover: ${durationText(r.resolvedAtMs - r.createdAtMs)}`);
  if (r.deployment) {
    const d = r.deployment;
    const label = d.sha ? `deployment ${d.sha.slice(0, 7)}` : `deployment ${d.id ?? ""}`;
    lines.push(`• Linked deployment: ${d.url ? `<${d.url}|${label}>` : label}${d.finishedAtMs !== null ? ` at ${at(d.finishedAtMs, r.zone)}` : ""}`);
  } else lines.push("• Linked deployment: none found");
  return lines;
}

function reviewReminderText(kind: ReviewMessageKind, r: ReviewView): string {
  const due = at(r.dueAtMs, r.zone);
  switch (kind) {
    case "opened":
      return `Post-incident review opened for ${r.title}: due ${due}.`;
    case "before_due":
      return `Reminder: the post-incident review for ${r.title} is due tomorrow (${due}).`;
    case "due":
      return `The post-incident review for ${r.title} is due today (${due}).`;
    case "overdue":
      return `The post-incident review for ${r.title} is overdue (was due ${due}).`;
    case "escalation":
      return `The post-incident review for ${r.title} is overdue (due ${due})${r.ownerSlackId ? `; owner <@${r.ownerSlackId}>` : ""}.`;
  }
}

function reviewButtons(reviewId: number): KnownBlock {
  const value = String(reviewId);
  return {
    type: "actions",
    block_id: `review_actions_${reviewId}`,
    elements: [
      { type: "button", action_id: REVIEW_ACTIONS.done, text: { type: "plain_text", text: "Mark review done" }, style: "primary", value },
      { type: "button", action_id: REVIEW_ACTIONS.snooze, text: { type: "plain_text", text: "Snooze 2 days" }, value },
      { type: "button", action_id: REVIEW_ACTIONS.notNeeded, text: { type: "plain_text", text: "Not needed" }, value },
    ],
  };
}

export function reviewReminderBlocks(kind: ReviewMessageKind, r: ReviewView): { text: string; blocks: KnownBlock[] } {
  const text = reviewReminderText(kind, r);
  const blocks: KnownBlock[] = [];
  if (kind === "opened") {
    blocks.push(
      { type: "section", text: { type: "mrkdwn", text: `:memo: *Post-incident review* for ${incidentName(r)}${r.service ? ` (${r.service})` : ""}\nYou own this review; it is due *${at(r.dueAtMs, r.zone)}*.` } },
      { type: "section", text: { type: "mrkdwn", text: `*Timeline*\n${timelineLines(r).join("\n")}` } },
      { type: "section", text: { type: "mrkdwn", text: `*Questions to answer*\n${REVIEW_CHECKLIST.map((q) => `☐ ${q}`).join("\n")}` } },
    );
  } else if (kind === "escalation") {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `:warning: ${text.replace(r.title, incidentName(r))}` } });
  } else {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `:alarm_clock: ${text.replace(r.title, incidentName(r))}` } });
  }
  blocks.push(reviewButtons(r.id));
  return { text, blocks };
}

/** A review's modal: one question about the incident, one input, Save / Cancel. */
function reviewModal(callbackId: string, reviewId: number, heading: string, question: string, input: KnownBlock): View {
  return {
    type: "modal",
    callback_id: callbackId,
    private_metadata: String(reviewId),
    title: { type: "plain_text", text: heading },
    submit: { type: "plain_text", text: "Save" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [{ type: "section", text: { type: "mrkdwn", text: question } }, input],
  };
}

export function doneModal(reviewId: number, title: string): View {
  return reviewModal(REVIEW_VIEWS.done, reviewId, "Review done", `Link the review document for *${title.slice(0, 200)}*.`, {
    type: "input", block_id: "doc", label: { type: "plain_text", text: "Review document link" }, element: { type: "url_text_input", action_id: "url" },
  });
}

export function notNeededModal(reviewId: number, title: string): View {
  return reviewModal(REVIEW_VIEWS.notNeeded, reviewId, "Review not needed", `Why does *${title.slice(0, 200)}* need no review?`, {
    type: "input", block_id: "reason", label: { type: "plain_text", text: "Reason" },
    element: { type: "plain_text_input", action_id: "text", multiline: true, min_length: 3, max_length: 1000 },
  });
}

/** What the reminder turns into once handled: the buttons go, the outcome stays. */
export function reviewClosedBlocks(text: string): KnownBlock[] {
  return [{ type: "section", text: { type: "mrkdwn", text } }];
}
