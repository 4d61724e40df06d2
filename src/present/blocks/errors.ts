import type { KpiAnswer } from "../../domain/answer.js";
import { howToConnect, isNoData, noDataSubject } from "../no-data.js";
import type { RenderedMessage } from "./answer.js";
import { escapeMrkdwn } from "./format-slack.js";
import { context, section } from "./kit.js";

// The error answers of issue 8: each says what went wrong and what to do next; none shows a stack.

export function parseErrorBlocks(question: string, error: string): RenderedMessage {
  return {
    text: `I could not read "${question}": ${error}`,
    blocks: [
      section(`:thinking_face: I could not read \`/kpi ${escapeMrkdwn(question)}\`\n${escapeMrkdwn(error)}`),
      context(["Try `/kpi mttr last 30 days`, `/kpi summary for team payments`, or `/kpi help` for the grammar."]),
    ],
  };
}

export { isNoData };

export function noDataBlocks(answer: KpiAnswer): RenderedMessage {
  const what = noDataSubject(answer);
  return {
    text: `No data for ${what}`,
    blocks: [
      section(`:information_source: No data for *${escapeMrkdwn(what)}* — here is how to connect a source:\n${howToConnect(answer.metric)}.`),
      context(["`/kpi explain " + answer.metric + "` shows what the metric needs; admins can run `/kpi sync` after connecting."]),
    ],
  };
}

export function internalErrorBlocks(errorId: string): RenderedMessage {
  return {
    text: `Sorry, something went wrong on my side (error id ${errorId}).`,
    blocks: [
      section(`:face_with_head_bandage: Sorry, something went wrong on my side. Please try again in a minute.`),
      context([`If it keeps happening, give your Vitals admin the error id \`${errorId}\` (it is in the app's log).`]),
    ],
  };
}

export function notAdminBlocks(command: string): RenderedMessage {
  return {
    text: `Sorry, /kpi ${command} is for Vitals admins.`,
    blocks: [
      section(`:lock: Sorry, \`/kpi ${escapeMrkdwn(command)}\` is for Vitals admins (listed in \`VITALS_ADMINS\`) and workspace admins.`),
      context(["Anyone can ask questions: try `/kpi summary` or `/kpi help`."]),
    ],
  };
}

/** A short confirmation or a usage problem from a subcommand; `mrkdwn` is already escaped. */
export function noticeBlocks(mrkdwn: string, detail?: string): RenderedMessage {
  return { text: mrkdwn, blocks: [section(mrkdwn), ...(detail ? [context([detail])] : [])] };
}
