import type { RequestListener } from "node:http";
import { App, HTTPReceiver, SocketModeReceiver, type webApi } from "@slack/bolt";
import type { AppDeps } from "../app-deps.js";
import { registerActions } from "./actions/index.js";
import { boltLogger } from "./bolt-logger.js";
import { computeQueue } from "./compute-queue.js";
import { registerCommands } from "./commands/index.js";
import { KPI_SUBCOMMANDS } from "./commands/subcommands.js";
import { registerHome } from "./home/index.js";
import { refreshHomes } from "./home/publish-home.js";
import type { KpiSubcommand } from "./kpi-subcommand.js";
import type { QuestionEngine, SlackRuntime } from "./runtime.js";

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
  readonly subcommands?: readonly KpiSubcommand[];
  /** What a finished `/kpi sync` triggers besides the App Home refresh (alerts, reviews). */
  readonly afterSync?: () => Promise<void>;
  /** Web API retries (default Bolt's; tests pass 0 so that each call is seen once). */
  readonly retries?: number;
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
  if (options.appToken) {
    receiver = new SocketModeReceiver({ appToken: options.appToken, logger });
  } else {
    const http = new HTTPReceiver({
      signingSecret: options.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      processBeforeResponse: options.processBeforeResponse ?? false,
      logger,
    });
    receiver = http;
    httpListener = http.requestListener;
  }
  const app = new App({ token: options.botToken, receiver, logger, clientOptions });
  const refresh = () => refreshHomes(app.client, runtime);
  const runtime: SlackRuntime = {
    deps,
    engine: options.engine,
    subcommands: options.subcommands ?? KPI_SUBCOMMANDS,
    compute: computeQueue(),
    afterSync: async () => {
      await options.afterSync?.();
      await refresh();
    },
  };
  registerCommands(app, runtime);
  registerActions(app, runtime);
  registerHome(app, runtime);
  app.error(async (error) => {
    // Listener errors are caught where they happen; this is the net for Bolt's own failures.
    deps.logger.error({ err: error }, "Bolt error");
  });
  return {
    app,
    client: app.client,
    ...(httpListener ? { httpListener } : {}),
    socketMode: Boolean(options.appToken),
    runtime,
    refreshHomes: refresh,
  };
}
