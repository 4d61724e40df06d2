import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env.js";
import { createLogger } from "../../src/log.js";
import { productionStartOptions, startApp, type RunningApp } from "../../src/app/start.js";
import { withStoredSettings } from "../../src/app/root.js";
import { demoConfig } from "../../src/sources/demo/catalog.js";
import { generateDemoRecords } from "../../src/sources/demo/generate.js";
import type { Store } from "../../src/store/index.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { openTestStore, testStoreEnv } from "../support/test-store.js";

// What `vitals start` serves on the read side (productionStartOptions): /metrics filled by the
// start-up refresh without any scrape asking for it, and the read API behind its token.

const NOW_MS = Date.UTC(2026, 4, 4, 9, 0, 0);
const READ_TOKEN = "read-token-start-0123456789";

let slack: FakeSlack;
let store: Store;
let app: RunningApp;
let base: string;

beforeAll(async () => {
  slack = await startFakeSlack();
  const config = demoConfig();
  store = await openTestStore(config, { key: "demo-60", records: () => generateDemoRecords({ nowMs: NOW_MS, days: 60 }) });
  const env = parseEnv({ SLACK_BOT_TOKEN: "xoxb-1-start", SLACK_SIGNING_SECRET: "start-secret", SLACK_API_URL: slack.apiUrl, ...(await testStoreEnv()), VITALS_READ_TOKEN: READ_TOKEN, LOG_LEVEL: "silent" });
  const deps = await withStoredSettings({ store, config, env, logger: createLogger("silent"), now: () => NOW_MS });
  app = await startApp(deps, { ...productionStartOptions(deps), port: 0, host: "127.0.0.1", retries: 0 });
  base = `http://127.0.0.1:${app.port}`;
});

afterAll(async () => {
  await app.stop();
  await slack.close();
  await store.close();
});

describe("the read side of vitals start", () => {
  it("has the KPI gauges computed at start-up, and they match the read API", async () => {
    const deadline = performance.now() + 20_000;
    let text = "";
    while (performance.now() < deadline) {
      text = await (await fetch(`${base}/metrics`)).text();
      if (text.includes(`vitals_kpi_refreshed_timestamp_seconds ${NOW_MS / 1000}`)) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const line = text.split("\n").find((l) => l.startsWith('vitals_kpi_value{metric="change_failure_rate",scope_kind="org",scope="",window="last_30d"}'));
    expect(line).toBeDefined();
    const api = await fetch(`${base}/api/v1/kpi?q=${encodeURIComponent("change_failure_rate last 30 days")}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    expect(api.status).toBe(200);
    expect(Number(line!.split(" ")[1])).toBe(((await api.json()) as { value: number }).value);
  });
});
