import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env.js";
import { parseFileConfig } from "../../src/config/file.js";
import type { KpiExporter } from "../../src/http/metrics-exporter.js";
import { ingestRoute } from "../../src/http/ingest.js";
import { createLogger } from "../../src/log.js";
import { readSide, startApp, type RunningApp } from "../../src/app/start.js";
import { buildDeps } from "../../src/app/root.js";
import { questionEngine } from "../../src/app/engines.js";
import { demoConfigYaml } from "../../src/sources/demo/catalog.js";
import { demoRecordBatches } from "../../src/sources/demo/generate.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore, type SqliteStore } from "../../src/store/index.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { postSigned, slashCommandBody } from "../fakes/slack/signed.js";
import { vitals } from "../cli/run.js";

// The read side end to end: the real app on 127.0.0.1:0 over a demo database file that
// `vitals ask` reads too, with the same fixed moment.

const NOW = "2026-05-04T09:00:00Z";
const READ_TOKEN = "read-token-0123456789abcdef";
const INGEST_TOKEN = "ingest-token-0123456789abcdef";
const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

let dir: string;
let cliArgs: string[];
let slack: FakeSlack;
let store: SqliteStore;
let app: RunningApp;
let exporter: KpiExporter;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vitals-read-"));
  const dbPath = join(dir, "demo.db");
  const configPath = join(dir, "demo.yml");
  const yaml = demoConfigYaml();
  writeFileSync(configPath, yaml);
  const config = parseFileConfig(yaml, configPath);
  store = createStore(openDatabase(dbPath), { productionEnvironment: "production", attributionWindowMs: config.metrics.attribution_window_hours * 3_600_000 });
  store.catalog.syncFromConfig(config);
  for (const batch of demoRecordBatches({ nowMs: Date.parse(NOW), days: 120 })) store.write(batch);
  store.syncState.saveCursor("github", "acme/checkout", "c1", null, Date.parse("2026-05-04T08:30:00Z"));
  store.syncState.saveCursor("github", "acme/payments", "c2", null, Date.parse("2026-05-04T08:45:00Z"));
  cliArgs = ["--db", dbPath, "--config", configPath, "--now", NOW];

  slack = await startFakeSlack();
  const env = parseEnv({
    SLACK_BOT_TOKEN: "xoxb-123-456-secretbottoken",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_PATH: dbPath,
    VITALS_READ_TOKEN: READ_TOKEN,
    VITALS_INGEST_TOKEN: INGEST_TOKEN,
    LOG_LEVEL: "silent",
  });
  const deps = buildDeps(env, { config, store, logger: createLogger("silent"), now: () => Date.parse(NOW) });
  const side = readSide(deps);
  exporter = side.exporter;
  // Acknowledge at once, as in production: the burst test measures Slack's acknowledgement.
  app = await startApp(deps, { engine: questionEngine, compute: side.compute, routes: [ingestRoute(deps), ...side.routes], port: 0, host: "127.0.0.1", retries: 0, processBeforeResponse: false });
  base = `http://127.0.0.1:${app.port}`;
});

afterAll(async () => {
  await app.stop();
  await slack.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const read = (q: string, options: { token?: string | null; format?: string } = {}) => {
  const url = new URL("/api/v1/kpi", base);
  url.searchParams.set("q", q);
  if (options.format) url.searchParams.set("format", options.format);
  const token = options.token === undefined ? READ_TOKEN : options.token;
  return fetch(url, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
};

describe("GET /api/v1/kpi", () => {
  for (const question of ["cfr last 30d for payments", "lead time this quarter for checkout vs last quarter", "mttr q1 2026", "dora last month for platform", "explain uptime", "help", "uptime last 7 days"]) {
    it(`answers "${question}" with the JSON vitals ask --json prints`, async () => {
      const response = await read(question);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const cli = await vitals(["ask", ...cliArgs, "--json", question]);
      expect(cli.code).toBe(0);
      expect(await response.json()).toEqual(JSON.parse(cli.stdout));
    });
  }

  it("answers 400 with the message vitals ask prints (and exits 2 with) for a question that does not parse", async () => {
    for (const question of ["cfr for nowhere", "velocity last 30d", "cfr last fortnight"]) {
      const response = await read(question);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: string };
      const cli = await vitals(["ask", ...cliArgs, "--json", question]);
      expect(cli.code).toBe(2);
      expect(cli.stderr).toBe(`vitals ask: ${body.error}\n`);
    }
    const empty = await read("  ");
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: string }).error).toMatch(/^q: expected a question/);
    const format = await read("cfr", { format: "xml" });
    expect(format.status).toBe(400);
    expect(((await format.json()) as { error: string }).error).toBe('format: expected one of json, csv, got "xml"');
  });

  it("refuses a request without a token, with a wrong one and with the ingest token (401)", async () => {
    for (const token of [null, "not-the-read-token-at-all", INGEST_TOKEN]) {
      const response = await read("cfr", { token });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="vitals"');
      const body = (await response.json()) as { error: string };
      expect(body.error).toBe(token === null ? "missing bearer token: send Authorization: Bearer <VITALS_READ_TOKEN>" : "wrong bearer token");
      expect(JSON.stringify(body)).not.toContain(READ_TOKEN);
    }
  });

  it("refuses the read token on the ingest route (401) and writes nothing", async () => {
    const record = { kind: "annotation", source: "api", id: "a-1", at: "2026-05-01T10:00:00Z", text: "should not land" };
    const response = await fetch(`${base}/api/v1/records`, { method: "POST", headers: { authorization: `Bearer ${READ_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify([record]) });
    expect(response.status).toBe(401);
    const note = await read("cfr last 30 days");
    expect(JSON.stringify(await note.json())).not.toContain("should not land");
  });

  it("sends the rows as CSV with format=csv, as vitals ask --csv prints them", async () => {
    const response = await read("cfr last 30 days for payments", { format: "csv" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="vitals-change_failure_rate-team-payments-2026-05-04.csv"');
    const text = await response.text();
    const cli = await vitals(["ask", ...cliArgs, "--csv", "cfr last 30 days for payments"]);
    expect(text).toBe(cli.stdout);
    const answer = (await (await read("cfr last 30 days for payments")).json()) as { sample_size: number; stats: { failed: number } };
    const records = parseCsv(text, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(answer.sample_size);
    expect(records.filter((r) => r.caused_failure === "true")).toHaveLength(answer.stats.failed);
    const summary = await read("dora", { format: "csv" });
    expect(summary.status).toBe(400);
  });

  it("does not hold back Slack's acknowledgement during a burst of reads", async () => {
    const events: string[] = [];
    const reads = Array.from({ length: 12 }, (_, i) =>
      read("dora last 90 days").then(async (r) => {
        await r.arrayBuffer();
        events.push(`read ${i}`);
      }),
    );
    // Sent after the burst: without the queue, every read would be computed before Slack is answered.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const ack = postSigned({ url: `${base}/slack/events`, secret: SIGNING_SECRET, body: slashCommandBody({ text: "cfr last 30d", responseUrl: slack.responseUrl() }) }).then((r) => {
      events.push(`ack ${r.status}`);
    });
    await Promise.all([...reads, ack]);
    expect(events).toContain("ack 200");
    expect(events.indexOf("ack 200")).toBeLessThan(events.length - 1);
    expect(events.indexOf("ack 200")).toBeLessThan(events.indexOf("read 11"));
  });
});

describe("GET /metrics", () => {
  it("serves Prometheus text whose team CFR gauge equals the read API's answer, with sync health and process metrics", async () => {
    await exporter.refresh();
    exporter.syncFailed("pagerduty");
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(await response.text());
    const family = (name: string) => families.find((f) => f.name === name);
    const sample = (name: string, labels: Record<string, string>) =>
      family(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

    expect(family("vitals_kpi_value")?.type).toBe("GAUGE");
    const labels = { metric: "change_failure_rate", scope_kind: "team", scope: "payments", window: "last_30d" };
    const api = (await (await read("cfr last 30 days for team payments")).json()) as { value: number; sample_size: number };
    expect(Number(sample("vitals_kpi_value", labels)?.value)).toBe(api.value);
    expect(Number(sample("vitals_kpi_sample_size", labels)?.value)).toBe(api.sample_size);
    const org = (await (await read("lead time last 30 days")).json()) as { value: number };
    expect(Number(sample("vitals_kpi_value", { metric: "lead_time", scope_kind: "org", scope: "" })?.value)).toBe(org.value);
    const service = (await (await read("uptime last 30 days for service checkout")).json()) as { value: number };
    expect(Number(sample("vitals_kpi_value", { metric: "uptime", scope_kind: "service", scope: "checkout" })?.value)).toBe(service.value);
    // Every metric with data at the organisation, every team and every service.
    const scopes = new Set(family("vitals_kpi_value")!.metrics.map((m) => `${m.labels?.scope_kind}:${m.labels?.scope}`));
    expect(scopes).toEqual(new Set(["org:", ...store.catalog.teams().map((t) => `team:${t.id}`), ...store.catalog.services().map((s) => `service:${s.id}`)]));

    expect(Number(sample("vitals_sync_last_success_timestamp_seconds", { source: "github" })?.value)).toBe(Date.parse("2026-05-04T08:45:00Z") / 1000);
    expect(family("vitals_sync_errors_total")?.type).toBe("COUNTER");
    expect(Number(sample("vitals_sync_errors_total", { source: "pagerduty" })?.value)).toBe(1);
    expect(Number(sample("vitals_sync_errors_total", { source: "github" })?.value)).toBe(0);
    expect(family("process_cpu_user_seconds_total")).toBeDefined();
    expect(family("nodejs_heap_size_used_bytes")).toBeDefined();
  });
});
