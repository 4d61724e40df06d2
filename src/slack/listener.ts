import type { App } from "@slack/bolt";
import type { AppDeps } from "../app-deps.js";
import { internalErrorBlocks } from "../present/blocks/errors.js";
import { logWithErrorId } from "./errors.js";
import { errorModal } from "./views/error-modal.js";

// Every Slack listener (commands, actions, views, events) fails the way `/kpi` does: the error is
// logged with a short id, the person gets a clear message with that id, never a stack trace, and
// Slack gets its acknowledgement (else it shows its own timeout error and may retry).
// https://docs.slack.dev/interactivity/handling-user-interaction#responses

/** The parts of Bolt's listener arguments the wrapper answers through (all optional across kinds). */
interface ListenerArgs {
  readonly ack?: (response?: never) => Promise<void>;
  readonly respond?: (message: { response_type: "ephemeral"; replace_original: false; text: string; blocks: never[] }) => Promise<unknown>;
  readonly body?: unknown;
  readonly view?: unknown;
  readonly client?: { chat: { postMessage(args: { channel: string; text: string; blocks: never[] }): Promise<unknown> } };
}

function userOf(body: unknown): string | undefined {
  const b = body as { user?: { id?: string }; user_id?: string; event?: { user?: string } } | undefined;
  return b?.user?.id ?? b?.user_id ?? b?.event?.user;
}

/**
 * `listener` with the one error handling: a failure before the acknowledgement acknowledges (a
 * submitted modal is replaced by one with the message); after it, the message goes to the
 * response URL (commands, buttons) or, for a modal already closed, to the person's DM with the app.
 * An event (App Home opened) has nobody to answer: it is logged with its id.
 */
export function guardListener<A>(deps: AppDeps, what: string, listener: (args: A) => Promise<void>): (args: A) => Promise<void> {
  return async (args: A) => {
    const slack = args as A & ListenerArgs;
    let acked = false;
    const tracked: A = slack.ack
      ? ({ ...slack, ack: async (response?: never) => {
          acked = true;
          await slack.ack!(response);
        } } as A)
      : args;
    try {
      await listener(tracked);
    } catch (error) {
      const userId = userOf(slack.body);
      const errorId = logWithErrorId(deps, error, { listener: what, ...(userId ? { userId } : {}) });
      const message = internalErrorBlocks(errorId);
      try {
        if (slack.ack && !acked) {
          acked = true;
          await slack.ack((slack.view ? { response_action: "update", view: errorModal(message) } : undefined) as never);
          if (slack.view) return;
        }
        if (slack.respond) {
          await slack.respond({ response_type: "ephemeral", replace_original: false, text: message.text, blocks: message.blocks as never[] });
        } else if (slack.view && userId && slack.client) {
          await slack.client.chat.postMessage({ channel: userId, text: message.text, blocks: message.blocks as never[] });
        }
      } catch (answerError) {
        deps.logger.warn({ err: answerError, errorId }, "could not tell the user about a failed Slack request");
      }
    }
  };
}

/** What the listener folders register on: Bolt's four kinds of listener. */
export type ListenerApp = Pick<App, "command" | "action" | "view" | "event">;

/**
 * The app as the listener folders see it: every listener registered through it is wrapped in
 * `guardListener`, so none can be added without the error handling.
 */
export function guardedListeners(app: App, deps: AppDeps): ListenerApp {
  const wrap =
    <R>(register: (...args: never[]) => R) =>
    (...args: unknown[]): R => {
      const [key, ...listeners] = args;
      const what = key instanceof RegExp ? key.source : typeof key === "object" ? JSON.stringify(key) : String(key);
      return register(...([key, ...listeners.map((l) => (typeof l === "function" ? guardListener(deps, what, l as (a: unknown) => Promise<void>) : l))] as never[]));
    };
  return {
    command: wrap(app.command.bind(app)) as App["command"],
    action: wrap(app.action.bind(app)) as App["action"],
    view: wrap(app.view.bind(app)) as App["view"],
    event: wrap(app.event.bind(app)) as App["event"],
  };
}
