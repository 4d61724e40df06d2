import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env.js";
import { createLogger } from "../../src/log.js";
import { startApp, type RunningApp } from "../../src/app/start.js";
import { buildDeps } from "../../src/app/root.js";
import { SlackRefusedError } from "../../src/slack/connect.js";
import { questionEngine } from "../../src/app/engines.js";
import { demoConfig } from "../../src/sources/demo/catalog.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { slashCommandBody } from "../fakes/slack/signed.js";
import { BOT_TOKEN, NOW_MS, SIGNING_SECRET } from "./harness.js";

// Socket Mode, the default for self-hosting, end to end: the real app against a fake Slack that
// speaks the protocol over a real WebSocket (hello, envelopes and their acks, disconnect).

const APP_TOKEN = "xapp-1-A0TEST-123-socketsecret";

function deps(slackApiUrl: string, logs: string[], extra: Record<string, string> = {}) {
  const env = parseEnv({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slackApiUrl, LOG_LEVEL: "info", DATABASE_PATH: ":memory:", ...extra });
  const config = demoConfig();
  const store = createStore(openDatabase(":memory:"), { productionEnvironment: config.production_environment, attributionWindowMs: 3_600_000 });
  const logger = createLogger("info", { write: (line: string) => logs.push(line) } as never);
  return buildDeps(env, { config, store, logger, now: () => NOW_MS });
}

/** A slash command as Socket Mode carries it: the form fields as a JSON object. */
function slashPayload(text: string, responseUrl: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(slashCommandBody({ text, responseUrl })));
}

describe("Socket Mode against a fake Slack over a real WebSocket", () => {
  let slack: FakeSlack;
  let app: RunningApp;
  const logs: string[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
    app = await startApp(deps(slack.apiUrl, logs, { SLACK_APP_TOKEN: APP_TOKEN }), { engine: questionEngine, port: 0, host: "127.0.0.1", retries: 0 });
    await slack.socket.connected(1);
  });
  afterAll(async () => {
    await app?.stop();
    await slack.close();
  });

  async function kpiOverSocket(text: string) {
    const responseUrl = slack.responseUrl();
    const ack = await slack.socket.envelope("slash_commands", slashPayload(text, responseUrl));
    return { ack, answer: await slack.responseTo(responseUrl) };
  }

  it("opens the connection through SLACK_API_URL with the app token and reports it in /healthz", async () => {
    const opens = slack.callsTo("apps.connections.open");
    expect(opens.length).toBeGreaterThanOrEqual(1);
    expect(opens.every((c) => c.authorization === `Bearer ${APP_TOKEN}`)).toBe(true);
    const health = await fetch(`http://127.0.0.1:${app.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", slack: "connected" });
  });

  it("acks a slash_commands envelope within 3 s and answers it", async () => {
    const { ack, answer } = await kpiOverSocket("help");
    expect(ack.afterMs).toBeLessThan(3000);
    expect(String(answer.text)).toMatch(/^\/kpi help/);
  });

  it("survives malformed envelopes (logged with an error id, acknowledged) and keeps answering", async () => {
    slack.socket.sendRaw("{not json");
    const ack = await slack.socket.envelope("events_api", { type: "event_callback", team_id: "T0TEST" });
    expect(ack.envelopeId).toMatch(/^env-/);
    const failure = logs.map((l) => JSON.parse(l) as { msg: string; errorId?: string }).find((l) => l.msg.startsWith("Slack envelope could not be handled"));
    expect(failure?.errorId).toMatch(/^[0-9a-f]{8}$/);
    expect((await kpiOverSocket("help")).answer.text).toMatch(/^\/kpi help/);
  });

  it("reconnects after disconnect (refresh_requested) and after an abrupt drop", async () => {
    const before = slack.socket.connections;
    slack.socket.disconnect("refresh_requested");
    await slack.socket.connected(before + 1);
    expect((await kpiOverSocket("help")).answer.text).toMatch(/^\/kpi help/);

    slack.socket.drop();
    await slack.socket.connected(before + 2);
    expect((await kpiOverSocket("help")).answer.text).toMatch(/^\/kpi help/);
    expect(slack.callsTo("apps.connections.open").length).toBeGreaterThanOrEqual(before + 2);
  }, 40_000);
});

describe("Slack trouble at start-up", () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(() => slack.close());

  for (const mode of ["http", "socket"] as const) {
    it(`${mode} mode: a token Slack refuses ends the start with one clear error and the HTTP server closed`, async () => {
      slack.failNext("auth.test", { error: "not_authed" });
      let port = 0;
      const logs: string[] = [];
      const start = startApp(deps(slack.apiUrl, logs, mode === "socket" ? { SLACK_APP_TOKEN: APP_TOKEN } : {}), {
        engine: questionEngine,
        port: 0,
        host: "127.0.0.1",
        onListening: (p) => (port = p),
      });
      await expect(start).rejects.toThrow(SlackRefusedError);
      await expect(start).rejects.toThrow("Slack refused SLACK_BOT_TOKEN (not_authed): check the token in the environment or .env (see .env.example)");
      expect(port).toBeGreaterThan(0);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    });
  }

  it("socket mode: an app token Slack refuses is fatal too", async () => {
    slack.failNext("apps.connections.open", { error: "invalid_auth" });
    const start = startApp(deps(slack.apiUrl, [], { SLACK_APP_TOKEN: APP_TOKEN }), { engine: questionEngine, port: 0, host: "127.0.0.1" });
    await expect(start).rejects.toThrow("Slack refused SLACK_APP_TOKEN (invalid_auth)");
  });

  it("an unreachable Slack is retried with backoff, said once per attempt, /healthz 503 connecting, and a stop ends the wait", async () => {
    const logs: string[] = [];
    const stop = new AbortController();
    let port = 0;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const start = startApp(deps(`http://127.0.0.1:${deadPort}/api`, logs), {
      engine: questionEngine,
      port: 0,
      host: "127.0.0.1",
      signal: stop.signal,
      connectDelayMaxMs: 40,
      onListening: (p) => (port = p),
    });
    const failed = start.catch((error: Error) => error);
    while (logs.filter((l) => l.includes("cannot reach Slack")).length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "unavailable", slack: "connecting" });
    // Slack's requests wait for the app: 503, not a crash.
    expect((await fetch(`http://127.0.0.1:${port}/slack/events`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).status).toBe(503);
    stop.abort();
    expect(((await failed) as Error).name).toBe("AbortError");
    const attempts = logs.map((l) => JSON.parse(l) as { msg: string; attempt?: number }).filter((l) => l.msg.includes("cannot reach Slack"));
    expect(attempts[0]!.msg).toBe(`checking the bot token: cannot reach Slack at 127.0.0.1:${deadPort}: connection refused (nothing listens there: check the URL and port); retrying in 40 ms (attempt 1)`);
    expect(attempts.map((a) => a.attempt).slice(0, 3)).toEqual([1, 2, 3]);
  });
});
