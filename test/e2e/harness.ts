import { afterEach, beforeEach } from "vitest";
import { parseEnv } from "../../src/config/env.js";
import type { FileConfig } from "../../src/config/file.js";
import { createLogger } from "../../src/log.js";
import { productionStartOptions, startApp, type RunningApp, type StartOptions } from "../../src/app/start.js";
import { SOLE_PROCESS, type ReplicaLeadership } from "../../src/app/leadership.js";
import { withStoredSettings } from "../../src/app/root.js";
import { createClients } from "../../src/app/clients.js";
import { questionEngine } from "../../src/app/engines.js";
import type { QuestionEngine } from "../../src/query/engine.js";
import { demoConfig } from "../../src/sources/demo/catalog.js";
import { generateDemoRecords } from "../../src/sources/demo/generate.js";
import type { AppDeps } from "../../src/app-deps.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { postSigned, slashCommandBody, buttonClickBody } from "../fakes/slack/signed.js";
import { openTestStore, TEST_ENGINE, testStoreEnv } from "../support/test-store.js";

// The real app (Bolt HTTP receiver + the one HTTP server) on 127.0.0.1:0, built through the
// composition root (src/app/) as `vitals start` builds it, talking to a fake Slack,
// over the demo data with a fixed clock. processBeforeResponse makes each HTTP answer wait for the
// listener, so tests assert right after the request returns, without sleeping. The store is the
// test engine's (test/support/test-store.ts): SQLite, and PostgreSQL in the vitest project "postgres".

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const BOT_TOKEN = "xoxb-123-456-secretbottoken";
export const ADMIN = "U0ADMIN";
export const NOW_MS = Date.UTC(2026, 4, 4, 9, 0, 0);

export interface TestApp {
  readonly slack: FakeSlack;
  readonly app: RunningApp;
  readonly deps: AppDeps;
  readonly eventsUrl: string;
  readonly baseUrl: string;
  readonly logs: string[];
  /** Send `/kpi <text>`; resolves with the HTTP status and what the app posted to the response_url. */
  kpi(text: string, options?: { userId?: string }): Promise<{ status: number; responses: Record<string, unknown>[] }>;
  click(fields: Omit<Parameters<typeof buttonClickBody>[0], "responseUrl">): Promise<{ status: number; responses: Record<string, unknown>[] }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly config?: FileConfig;
  readonly days?: number;
  readonly engine?: QuestionEngine;
  /** More settings (webhook secrets, the ingest token). */
  readonly env?: Record<string, string>;
  /** Serve the webhook and ingest routes of `vitals start` too. */
  readonly productionRoutes?: boolean;
  readonly requestTimeoutMs?: number;
  /** Scheduled jobs, run while this app leads (default: none). */
  readonly jobs?: StartOptions["jobs"];
  /** Default: one process, which always leads (PostgreSQL's election is tested in replica-leadership.test.ts). */
  readonly leadership?: ReplicaLeadership;
}

/**
 * A fresh app, store and fake Slack for every test of the file (none depends on what another asked
 * or clicked before it: `vitest run test/e2e --sequence.shuffle`); `use` receives each one.
 */
export function freshAppForEachTest(use: (app: TestApp) => void): void {
  let app: TestApp | undefined;
  beforeEach(async () => {
    app = await startTestApp();
    use(app);
  });
  afterEach(async () => {
    await app?.close();
  });
}

/**
 * One app on a PostgreSQL store, leading alone: an election needs a second connection, which PGlite
 * cannot serve, and what these tests check does not depend on who leads.
 */
const SOLE_POSTGRES_PROCESS: ReplicaLeadership = { ...SOLE_PROCESS, store: "postgres" };

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const slack = await startFakeSlack();
  const logs: string[] = [];
  const env = parseEnv({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    VITALS_ADMINS: ADMIN,
    LOG_LEVEL: "info",
    ...(await testStoreEnv()),
    ...options.env,
  });
  const config = options.config ?? demoConfig();
  const days = options.days ?? 120;
  const store = await openTestStore(config, { key: JSON.stringify({ days, config }), records: () => generateDemoRecords({ nowMs: NOW_MS, days }) });
  const logger = createLogger("info", { write: (line: string) => logs.push(line) } as never);
  const deps = await withStoredSettings({ store, config, env, logger, now: () => NOW_MS });
  const leadership = options.leadership ?? (TEST_ENGINE === "postgres" ? SOLE_POSTGRES_PROCESS : undefined);
  const clients = createClients();
  const app = await startApp(deps, {
    engine: options.engine ?? questionEngine,
    port: 0,
    host: "127.0.0.1",
    processBeforeResponse: true,
    retries: 0,
    // One set of clients for the routes and `/kpi sync`, as in `vitals start`.
    clients,
    ...(options.productionRoutes ? { routes: productionStartOptions(deps, clients).routes ?? [] } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(leadership ? { leadership } : {}),
  });
  const baseUrl = `http://127.0.0.1:${app.port}`;
  const eventsUrl = `${baseUrl}/slack/events`;
  const collect = async (send: (responseUrl: string) => Promise<{ status: number }>) => {
    const responseUrl = slack.responseUrl();
    const path = new URL(responseUrl).pathname;
    const { status } = await send(responseUrl);
    return { status, responses: slack.responses.filter((r) => r.path === path).map((r) => r.body) };
  };
  return {
    slack,
    app,
    deps,
    eventsUrl,
    baseUrl,
    logs,
    kpi: (text, o = {}) =>
      collect((responseUrl) => postSigned({ url: eventsUrl, secret: SIGNING_SECRET, body: slashCommandBody({ text, responseUrl, ...(o.userId ? { userId: o.userId } : {}) }) })),
    click: (fields) => collect((responseUrl) => postSigned({ url: eventsUrl, secret: SIGNING_SECRET, body: buttonClickBody({ ...fields, responseUrl }) })),
    async close() {
      await app.stop();
      await slack.close();
      await store.close();
    },
  };
}

export function blocksText(response: Record<string, unknown> | undefined): string {
  return JSON.stringify(response?.blocks ?? []);
}
