import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AppDeps } from "../app-deps.js";
import { requireSlackSettings } from "../config/env.js";
import { githubWebhookRoute } from "../http/github-webhook.js";
import { gitlabWebhookRoute } from "../http/gitlab-webhook.js";
import { healthRoute } from "../http/health.js";
import { coverageIngestRoute, ingestRoute } from "../http/ingest.js";
import { pagerdutyWebhookRoute } from "../http/pagerduty-webhook.js";
import { createKpiExporter, metricsRoute, type KpiExporter } from "../http/metrics-exporter.js";
import { readApiRoute } from "../http/read-api.js";
import { createHttpServer, listen, type HttpRoute } from "../http/server.js";
import { createSlackApp, SLACK_EVENTS_PATH, slackBodyProblem, type SlackApp } from "../slack/app.js";
import { computeQueue, type Compute } from "../query/compute-queue.js";
import type { KpiSubcommand } from "../slack/kpi-subcommand.js";
import type { QuestionEngine } from "../query/engine.js";
import type { webApi } from "@slack/bolt";
import { answerConfirmation } from "../confirmations/actions.js";
import { startScheduler } from "../jobs/scheduler.js";
import { kpiSubcommands } from "../slack/commands/subcommands.js";
import { verifyAppToken, verifyBotToken, type SlackConnection } from "../slack/connect.js";
import { createClients, type Clients } from "./clients.js";
import { kpiEngine, previewRules, questionEngine } from "./engines.js";
import { SETTINGS_REFRESH_MS } from "./settings-snapshot.js";
import { leaderJobs, type JobsHandle, type LeaderJobs } from "./leader-jobs.js";
import { SOLE_PROCESS, type ReplicaLeadership } from "./leadership.js";

export { SlackRefusedError } from "../slack/connect.js";

// The composition root's running app: deps (src/app/root.ts) → Bolt + the one HTTP server (+ jobs),
// with the engines (src/app/engines.ts) and the clients (src/app/clients.ts) built here and passed
// in. `vitals start` (src/cli/commands/start.ts) calls `buildDeps` and `startApp`; the tests call
// `startApp` with a `:memory:` store, port 0 and a fake Slack (test/e2e/harness.ts).

/**
 * Starts the scheduled jobs once the Slack client exists (src/jobs/scheduler.ts), each time this
 * replica becomes leader; every run asks `leads` first (src/app/leader-jobs.ts).
 */
type JobsStarter = (ctx: { deps: AppDeps; slack: webApi.WebClient; refreshHomes?: () => Promise<number>; leads: () => boolean }) => JobsHandle | Promise<JobsHandle>;

const NO_JOBS: JobsHandle = { stop: () => Promise.resolve() };

export interface StartOptions {
  /** Default: the real engine (src/app/engines.ts); tests may script one. */
  readonly engine?: QuestionEngine;
  /** The clients the routes, the jobs and `/kpi sync` share (default: built here, once). */
  readonly clients?: Clients;
  /** Webhook and ingest routes served next to /healthz and Slack's /slack/events. */
  readonly routes?: readonly HttpRoute[];
  readonly jobs?: JobsStarter;
  /**
   * Whether this replica runs the jobs (src/app/leadership.ts; default: SQLite's one process, which
   * always leads). Contended once Slack is reached, released when the app stops.
   */
  readonly leadership?: ReplicaLeadership;
  /** Work every replica runs while the app does, leader or not (the KPI exporter's refreshes). */
  readonly everyReplica?: { start(): void; stop(): void };
  readonly subcommands?: readonly KpiSubcommand[];
  /** Default env.PORT / env.HOST; tests pass 0 and 127.0.0.1. */
  readonly port?: number;
  readonly host?: string;
  /** Tests: the HTTP response waits for the listener. */
  readonly processBeforeResponse?: boolean;
  /** Web API retries (tests: 0). */
  readonly retries?: number;
  /** A request body not complete by then is answered 408 (tests shorten it). */
  readonly requestTimeoutMs?: number;
  /** Aborting it stops a start-up still waiting for Slack (SIGTERM during start). */
  readonly signal?: AbortSignal;
  /** Called once the HTTP server listens, before Slack is reached. */
  readonly onListening?: (port: number) => void;
  /** Longest wait, when stopping, for answers in flight (default 10 s). */
  readonly drainMs?: number;
  /** Longest wait between attempts to reach Slack (default 30 s). */
  readonly connectDelayMaxMs?: number;
  /** One compute queue for Slack's answers, the read API and the exporter (default: Slack's own). */
  readonly compute?: Compute;
}

/** Every `/kpi` subcommand over the engines and the clients built here (the sync's sources). */
export function appSubcommands(clients: Clients = createClients()): readonly KpiSubcommand[] {
  return kpiSubcommands({ syncSources: clients.syncSources, preview: previewRules });
}

export interface RunningApp {
  readonly port: number;
  readonly server: Server;
  readonly slack: SlackApp;
  /** The Slack connection /healthz reports. */
  connection(): SlackConnection;
  /** Does this replica lead, i.e. run the scheduled jobs (false until Slack is reached)? */
  leads(): boolean;
  stop(): Promise<void>;
}

export async function startApp(deps: AppDeps, options: StartOptions): Promise<RunningApp> {
  requireSlackSettings(deps.env);
  const stopping = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopping.signal]) : stopping.signal;
  // The jobs start after the app (they need its client); a sync before that has nothing to trigger.
  const jobs: { current?: LeaderJobs } = {};
  const leadership = options.leadership ?? SOLE_PROCESS;
  const leads = () => jobs.current?.leads() ?? false;
  let slack: SlackApp | undefined;
  let state: SlackConnection = "connecting";
  const connection = (): SlackConnection => (state === "connected" && slack ? slack.connection() : state);

  // The HTTP server listens first, so that /healthz says "connecting" (503) while Slack is not
  // reached yet; Slack's requests wait for the app (they get 503 until it exists).
  const httpMode = !deps.env.SLACK_APP_TOKEN;
  const server = createHttpServer({
    routes: [healthRoute(deps.store, { slack: connection, replica: { store: leadership.store, leader: leads } }), ...(options.routes ?? [])],
    logger: deps.logger,
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(httpMode
      ? {
          fallback: (req: IncomingMessage, res: ServerResponse) => {
            if (slack?.httpListener) return slack.httpListener(req, res);
            res.writeHead(503, { "content-type": "application/json; charset=utf-8", "retry-after": "5" }).end(JSON.stringify({ error: "connecting to Slack" }));
          },
          fallbackPaths: [SLACK_EVENTS_PATH],
          checkFallbackBody: slackBodyProblem,
        }
      : {}),
  });
  // Closing takes two steps: no new connections (the idle keep-alive ones end now), then, once the
  // answers in flight are done, the rest.
  let closed: Promise<void> | undefined;
  const stopAccepting = () => {
    closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
  };
  const closeServer = async () => {
    stopAccepting();
    server.closeAllConnections();
    await closed;
  };
  const port = await listen(server, options.port ?? deps.env.PORT, options.host ?? deps.env.HOST);
  options.onListening?.(port);

  try {
    const connect = { ...(deps.env.SLACK_API_URL ? { apiUrl: deps.env.SLACK_API_URL } : {}), logger: deps.logger, signal, ...(options.connectDelayMaxMs !== undefined ? { maxDelayMs: options.connectDelayMaxMs } : {}) };
    const bot = await verifyBotToken(deps.env.SLACK_BOT_TOKEN!, connect);
    deps.logger.info({ team: bot.team, botUserId: bot.userId, mode: httpMode ? "http" : "socket" }, "Slack token verified");
    if (!httpMode) await verifyAppToken(deps.env.SLACK_APP_TOKEN!, connect);
    slack = createSlackApp(deps, {
      botToken: deps.env.SLACK_BOT_TOKEN!,
      signingSecret: deps.env.SLACK_SIGNING_SECRET!,
      ...(deps.env.SLACK_APP_TOKEN ? { appToken: deps.env.SLACK_APP_TOKEN } : {}),
      ...(deps.env.SLACK_API_URL ? { apiUrl: deps.env.SLACK_API_URL } : {}),
      engine: options.engine ?? questionEngine,
      bot,
      subcommands: options.subcommands ?? appSubcommands(options.clients),
      answerConfirmation,
      ...(options.processBeforeResponse !== undefined ? { processBeforeResponse: options.processBeforeResponse } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      compute: options.compute ?? computeQueue(),
      afterSync: async () => {
        await jobs.current?.afterSync();
      },
    });
    if (slack.socketMode) await slack.app.start();
    state = "connected";
    if (signal.aborted) throw Object.assign(new Error("stopped while connecting to Slack"), { name: "AbortError" });
  } catch (error) {
    state = "failed";
    if (slack?.socketMode) await slack.app.stop().catch(() => undefined);
    await closeServer();
    throw error;
  }
  const client = slack.client;
  const refreshHomes = slack.refreshHomes;
  const starter = options.jobs;
  try {
    jobs.current = await leaderJobs(leadership, (leads) => (starter ? starter({ deps, slack: client, refreshHomes, leads }) : NO_JOBS), deps.logger);
  } catch (error) {
    if (slack.socketMode) await slack.app.stop().catch(() => undefined);
    await closeServer();
    throw error;
  }
  options.everyReplica?.start();
  // Another replica's `/kpi threshold set` or `/kpi subscribe` reaches this one's config (a
  // PostgreSQL store; SQLite answers the settings on every read).
  const settingsTimer = deps.refreshSettings ? setInterval(() => void deps.refreshSettings!().catch((error: Error) => deps.logger.warn({ err: error.message }, "could not refresh the Slack settings")), SETTINGS_REFRESH_MS) : undefined;
  settingsTimer?.unref();
  deps.logger.info({ port, socketMode: slack.socketMode, store: leadership.store, leader: leads() }, "Vitals is running");

  const running = slack;
  return {
    port,
    server,
    slack: running,
    connection,
    leads,
    async stop() {
      stopping.abort();
      // Take no new work (Slack redelivers an envelope nobody acked; a new HTTP connection is
      // refused), let the answers already acknowledged finish, bounded, and meanwhile stop the jobs,
      // whose run in progress completes and records what it posted, so a restart repeats nothing;
      // then the leadership is released at once, so another replica leads while answers still drain.
      if (running.socketMode) await running.app.stop().catch(() => undefined);
      stopAccepting();
      options.everyReplica?.stop();
      clearInterval(settingsTimer);
      const [{ waitedFor, dropped }] = await Promise.all([running.settle(options.drainMs ?? 10_000), jobs.current?.stop()]);
      if (waitedFor > 0) deps.logger.info({ waitedFor, finished: waitedFor - dropped, dropped }, dropped > 0 ? "stopping: dropped answers still running" : "stopping: answers in flight finished");
      await closeServer();
    },
  };
}

/**
 * What `vitals start` runs: the real question engine, the scheduled jobs (digests, alerts, review
 * reminders; a `/kpi sync` triggers their after-sync work) and the webhook/ingest routes (each
 * authenticates its requests and refuses them while its secret is not set).
 */
export function productionStartOptions(deps: AppDeps, clients: Clients = createClients(), scheduler: { readonly tickMs?: number } = {}): StartOptions {
  const { compute, exporter, routes } = readSide(deps);
  return {
    engine: questionEngine,
    clients,
    compute,
    routes: [githubWebhookRoute(deps, clients.github), gitlabWebhookRoute(deps, clients.gitlab), pagerdutyWebhookRoute(deps), ingestRoute(deps), coverageIngestRoute(deps), ...routes],
    // Each replica serves /metrics, so each refreshes its gauges; only the leader syncs (then refreshes at once).
    everyReplica: exporter,
    jobs: ({ deps, slack, refreshHomes, leads }) => {
      const stop = startScheduler(deps, slack, {
        engine: kpiEngine,
        leads,
        ...(scheduler.tickMs !== undefined ? { tickMs: scheduler.tickMs } : {}),
        syncSources: clients.syncSources,
        onSynced: async () => {
          void exporter.refresh();
          if (refreshHomes) await refreshHomes();
        },
        onSyncError: exporter.syncFailed,
      });
      return {
        stop: () => stop(),
        afterSync: async () => {
          await stop.runners.afterSync();
          void exporter.refresh();
        },
      };
    },
  };
}

/**
 * The read side (docs/read-api.md): GET /api/v1/kpi and GET /metrics. Slack's answers, the read
 * API and the exporter's refreshes take turns on the one compute queue returned here.
 */
export function readSide(deps: AppDeps): { compute: Compute; exporter: KpiExporter; routes: HttpRoute[] } {
  const compute = computeQueue();
  const exporter = createKpiExporter(deps, compute);
  return { compute, exporter, routes: [readApiRoute(deps, compute), metricsRoute(deps, exporter)] };
}
