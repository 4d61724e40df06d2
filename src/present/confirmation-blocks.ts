import { DateTime } from "luxon";
import type { SlackBlock } from "./slack-block.js";

// The confirmation message for a heuristic incident → deployment link (pure): "Was <incident>
// caused by <deployment> (<its PRs>)?" with Yes / Another deployment… / Not a deployment. Each
// button carries the incident and the deployment asked about as its value.

export const CONFIRM_ACTIONS = {
  yes: "link_confirm:yes",
  other: "link_confirm:other",
  unrelated: "link_confirm:unrelated",
} as const;

/** The "Another deployment…" modal: a picker of the service's recent deployments. */
export const CONFIRM_VIEW = "link_confirm:other_modal";
export const PICKER_BLOCK = "deployment";
export const PICKER_ACTION = "pick";

export interface ConfirmationView {
  readonly incidentId: number;
  readonly incidentTitle: string;
  readonly incidentUrl: string | null;
  readonly service: string;
  readonly deploymentId: number;
  readonly deploymentLabel: string;
  readonly deploymentUrl: string | null;
  readonly deploymentFinishedAtMs: number;
  readonly pullRequests: readonly { readonly number: number; readonly title: string | null; readonly url: string | null }[];
  readonly zone: string;
}

export interface ButtonValue {
  readonly incidentId: number;
  readonly deploymentId: number;
}

export function buttonValue(value: ButtonValue): string {
  return JSON.stringify({ i: value.incidentId, d: value.deploymentId });
}

export function parseButtonValue(raw: string | undefined): ButtonValue | undefined {
  try {
    const v = JSON.parse(raw ?? "") as { i?: unknown; d?: unknown };
    if (Number.isInteger(v.i) && Number.isInteger(v.d) && (v.i as number) > 0 && (v.d as number) > 0) return { incidentId: v.i as number, deploymentId: v.d as number };
  } catch {
    // not ours
  }
  return undefined;
}

const link = (text: string, url: string | null) => (url ? `<${url}|${text.replace(/[<>|]/g, "")}>` : text);
const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function deploymentLabel(d: { external_id: string; sha: string | null }): string {
  return d.sha && d.sha !== d.external_id ? `${d.external_id} (${d.sha.slice(0, 7)})` : d.external_id;
}

function prsText(v: ConfirmationView): string {
  if (v.pullRequests.length === 0) return "no pull requests known";
  return v.pullRequests.map((pr) => link(`#${pr.number}${pr.title ? ` ${escape(pr.title.slice(0, 80))}` : ""}`, pr.url)).join(", ");
}

function confirmationText(v: ConfirmationView): string {
  return `Was ${v.incidentTitle} caused by deployment ${v.deploymentLabel} of ${v.service}?`;
}

export function confirmationBlocks(v: ConfirmationView, kind: "ask" | "reminder"): { text: string; blocks: SlackBlock[] } {
  const finished = DateTime.fromMillis(v.deploymentFinishedAtMs, { zone: v.zone }).toFormat("ccc d LLL HH:mm");
  const question =
    `${kind === "reminder" ? ":alarm_clock: Reminder: " : ":mag: "}Was *${link(escape(v.incidentTitle), v.incidentUrl)}* caused by deployment ` +
    `*${link(escape(v.deploymentLabel), v.deploymentUrl)}* of ${escape(v.service)} (finished ${finished}; ${prsText(v)})?`;
  const value = buttonValue({ incidentId: v.incidentId, deploymentId: v.deploymentId });
  return {
    text: `${kind === "reminder" ? "Reminder: " : ""}${confirmationText(v)}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: question.slice(0, 3000) } },
      { type: "context", elements: [{ type: "mrkdwn", text: "Vitals linked them because the incident began within the attribution window after this deployment. Your answer decides the change failure rate." }] },
      {
        type: "actions",
        block_id: `link_confirm_${v.incidentId}`,
        elements: [
          { type: "button", action_id: CONFIRM_ACTIONS.yes, text: { type: "plain_text", text: "Yes" }, style: "primary", value },
          { type: "button", action_id: CONFIRM_ACTIONS.other, text: { type: "plain_text", text: "Another deployment…" }, value },
          { type: "button", action_id: CONFIRM_ACTIONS.unrelated, text: { type: "plain_text", text: "Not a deployment" }, value },
        ],
      },
    ],
  };
}

/** The picker modal: the service's recent deployments before the incident, newest first. */
export function otherDeploymentModal(
  incidentTitle: string,
  choices: readonly { readonly id: number; readonly label: string; readonly finishedAtMs: number }[],
  zone: string,
  metadata: string,
): SlackBlock {
  return {
    type: "modal",
    callback_id: CONFIRM_VIEW,
    private_metadata: metadata,
    title: { type: "plain_text", text: "Which deployment?" },
    submit: { type: "plain_text", text: "Save" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `Which deployment caused *${escape(incidentTitle.slice(0, 200))}*?` } },
      {
        type: "input",
        block_id: PICKER_BLOCK,
        label: { type: "plain_text", text: "Deployment" },
        element: {
          type: "static_select",
          action_id: PICKER_ACTION,
          placeholder: { type: "plain_text", text: "Pick a deployment" },
          options: choices.slice(0, 100).map((c) => ({
            text: { type: "plain_text", text: `${c.label} · ${DateTime.fromMillis(c.finishedAtMs, { zone }).toFormat("d LLL HH:mm")}`.slice(0, 75) },
            value: String(c.id),
          })),
        },
      },
    ],
  };
}

/** What the message turns into once answered: the buttons go, the answer stays. */
export function answeredBlocks(text: string): SlackBlock[] {
  return [{ type: "section", text: { type: "mrkdwn", text } }];
}
