import type { RequestListener } from "node:http";
import { App, HTTPReceiver, SocketModeReceiver, type webApi } from "@slack/bolt";
import type { AppDeps } from "../app-deps.js";
import { registerActions } from "./actions/index.js";
import { boltLogger } from "./bolt-logger.js";
import type { Compute } from "../query/compute-queue.js";
import { registerCommands } from "./commands/index.js";
import { registerHome } from "./events/index.js";
import { guardedListeners } from "./listener.js";
import { registerViews } from "./views/index.js";
import { refreshHomes } from "./views/home.js";
import type { KpiSubcommand } from "./kpi-subcommand.js";
import type { AnswerConfirmation } from "../confirmations/actions.js";
import type { QuestionEngine } from "../query/engine.js";
import type { SlackRuntime } from "./runtime.js";
import { errorId, type SlackConnection } from "./connect.js";

// Builds the Bolt app (Bolt starter-template layout: commands/, actions/, home/, each registering
// its listeners). HTTP mode hands back Bolt's request listener for the app's one HTTP server
// (src/http/server.ts); Socket Mode needs no public URL (SLACK_APP_TOKEN).

export interface SlackAppOptions {
  readonly botToken: string;
  readonly signingSecret: string;
  /** xapp- token: Socket Mode. */
  readonly appToken?: string;
  /** Web API base (GovSlack, or a fake Slack in tests). */
  readonly apiUrl?: string;
  readonly engine: QuestionEngine;
  /** Wait for listeners before answering Slack's HTTP request (tests; FaaS). Default false: ack at once. */
  readonly processBeforeResponse?: boolean;
  /** Every `/kpi` subcommand (the composition root builds them: src/slack/commands/subcommands.ts). */
  readonly subcommands: readonly KpiSubcommand[];
  /** What the link confirmation buttons do (the composition root passes src/jobs/link-confirmations.ts). */
  readonly answerConfirmation: AnswerConfirmation;
  /** What a finished `/kpi sync` triggers besides the App Home refresh (alerts, reviews). */
  readonly afterSync?: () => Promise<void>;
  /** Web API retries (default Bolt's; tests pass 0 so that each call is seen once). */
  readonly retries?: number;
  /** The compute queue, shared with the read API and the exporter (the composition root builds it). */
  readonly compute: Compute;
  /** The bot's identity from our own auth.test at start-up: Bolt then makes no auth.test of its own. */
  readonly bot?: { readonly userId: string; readonly botId: string };
}

export interface SlackApp {
  readonly app: App;
  readonly client: webApi.WebClient;
  /** HTTP mode: Bolt's listener for POST /slack/events; undefined in Socket Mode. */
  readonly httpListener?: RequestListener;
  readonly socketMode: boolean;
  readonly runtime: SlackRuntime;
  /** Republish App Homes (call after scheduled syncs too). */
  refreshHomes(): Promise<number>;
  /** Socket Mode: the WebSocket's state (for /healthz); HTTP mode: always "connected". */
  connection(): SlackConnection;
  /**
   * Wait (at most `timeoutMs`) for the requests and envelopes being handled (an answer computed or
   * posted after its ack) to finish; resolves with how many were still running at the deadline.
   */
  settle(timeoutMs: number): Promise<{ waitedFor: number; dropped: number }>;
}

export const SLACK_EVENTS_PATH = "/slack/events";

/**
 * Why Bolt's receiver could not take this body, or undefined. Bolt parses the body the same way
 * (a form with an optional JSON `payload`, else JSON) and reads fields off the result inside a
 * promise nothing awaits: a body of `null` would be an unhandled rejection, ending the process.
 */
export function slackBodyProblem(contentType: string | undefined, rawBody: Buffer): string | undefined {
  const text = rawBody.toString();
  let parsed: unknown;
  try {
    if (contentType === "application/x-www-form-urlencoded") {
      const payload = new URLSearchParams(text).get("payload");
      if (payload === null) return undefined;
      parsed = JSON.parse(payload);
    } else {
      parsed = JSON.parse(text);
    }
  } catch {
    return contentType === "application/x-www-form-urlencoded" ? "the payload field is not JSON" : "expected a form-encoded or JSON body";
  }
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? undefined : "expected a JSON object";
}

export function createSlackApp(deps: AppDeps, options: SlackAppOptions): SlackApp {
  const logger = boltLogger(deps.logger);
  const clientOptions: webApi.WebClientOptions = {
    ...(options.apiUrl ? { slackApiUrl: `${options.apiUrl}/` } : {}),
    ...(options.retries !== undefined ? { retryConfig: { retries: options.retries } } : {}),
  };
  let receiver: HTTPReceiver | SocketModeReceiver;
  let httpListener: RequestListener | undefined;
  let connection: SlackConnection = "connected";
  if (options.appToken) {
    // clientOptions carry SLACK_API_URL: without them apps.connections.open always dials slack.com.
    const socket = new SocketModeReceiver({ appToken: options.appToken, logger, installerOptions: { clientOptions: { ...clientOptions } } });
    connection = "connecting";
    guardEnvelopes(socket, deps);
    socket.client.on("connected", () => {
      if (connection !== "connected") deps.logger.info({ mode: "socket" }, "Slack Socket Mode connected");
      connection = "connected";
    });
    socket.client.on("reconnecting", () => {
      connection = "connecting";
      deps.logger.warn({ mode: "socket" }, "Slack Socket Mode connection lost: reconnecting");
    });
    receiver = socket;
  } else {
    const http = new HTTPReceiver({
      signingSecret: options.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      processBeforeResponse: options.processBeforeResponse ?? false,
      logger,
      processEventErrorHandler: async ({ error, response }) => {
        const id = errorId();
        deps.logger.error({ err: error, errorId: id }, "Slack request failed");
        if (!response.headersSent) {
          response.writeHead(500, { "content-type": "application/json; charset=utf-8" });
          response.end(JSON.stringify({ error: "internal error", error_id: id }));
        }
        return false;
      },
    });
    receiver = http;
    httpListener = http.requestListener;
  }
  const app = new App({
    token: options.botToken,
    receiver,
    logger,
    clientOptions,
    // Known from our own auth.test (src/slack/connect.ts); otherwise Bolt would call it in this
    // constructor with the Web API client's half-hour retry policy, and remember a failure.
    ...(options.bot ? { botId: options.bot.botId, botUserId: options.bot.userId } : { tokenVerificationEnabled: false }),
  });
  const refresh = () => refreshHomes(app.client, runtime);
  const runtime: SlackRuntime = {
    deps,
    engine: options.engine,
    subcommands: options.subcommands,
    answerConfirmation: options.answerConfirmation,
    compute: options.compute,
    afterSync: async () => {
      await options.afterSync?.();
      await refresh();
    },
  };
  // Every request's listeners, tracked from the first middleware: a stop waits for these (an answer
  // already acknowledged is still being computed or posted to its response_url).
  const inFlight = new Set<Promise<unknown>>();
  app.use(async ({ next }) => {
    const run = next();
    inFlight.add(run);
    try {
      await run;
    } finally {
      inFlight.delete(run);
    }
  });
  // Every listener through the one error handling (src/slack/listener.ts).
  const listeners = guardedListeners(app, deps);
  registerCommands(listeners, runtime);
  registerActions(listeners, runtime);
  registerViews(listeners, runtime);
  registerHome(listeners, runtime);
  app.error(async (error) => {
    // Listener errors are caught where they happen; this is the net for Bolt's own failures.
    deps.logger.error({ err: error, errorId: errorId() }, "Bolt error");
  });
  return {
    app,
    client: app.client,
    ...(httpListener ? { httpListener } : {}),
    socketMode: Boolean(options.appToken),
    runtime,
    refreshHomes: refresh,
    connection: () => connection,
    settle: async (timeoutMs) => {
      const waitedFor = inFlight.size;
      if (waitedFor === 0) return { waitedFor, dropped: 0 };
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...inFlight]), deadline]);
      clearTimeout(timer);
      return { waitedFor, dropped: inFlight.size };
    },
  };
}

/**
 * The Socket Mode client handles each WebSocket message in a promise nothing awaits: an envelope it
 * cannot read (an events_api one without `event`) would be an unhandled rejection, ending the
 * process. Each message is handled here instead, its failure logged with an error id and the
 * envelope acknowledged so that Slack does not redeliver it.
 */
function guardEnvelopes(receiver: SocketModeReceiver, deps: AppDeps): void {
  const client = receiver.client;
  const handlers = client.listeners("ws_message") as ((data: unknown, isBinary: boolean) => Promise<void>)[];
  client.removeAllListeners("ws_message");
  client.on("ws_message", (data: unknown, isBinary: boolean) => {
    for (const handle of handlers) {
      Promise.resolve()
        .then(() => handle.call(client, data, isBinary))
        .catch((error: unknown) => {
          const id = errorId();
          let envelopeId: string | undefined;
          try {
            envelopeId = (JSON.parse(String(data)) as { envelope_id?: string }).envelope_id;
          } catch {
            envelopeId = undefined;
          }
          deps.logger.error({ err: error, errorId: id, envelopeId }, "Slack envelope could not be handled; acknowledged and dropped");
          // send() is the client's own ack (private in its types).
          if (envelopeId) (client as unknown as { send(id: string): Promise<void> }).send(envelopeId).catch(() => undefined);
        });
    }
  });
}
