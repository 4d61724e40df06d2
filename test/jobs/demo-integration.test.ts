import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pendingAlertTexts, runAlerts } from "../../src/alerts/actions.js";
import { kpiEngine, previewRules } from "../../src/app/engines.js";
import { parseEnv } from "../../src/config/env.js";
import { silentLogger } from "../../src/log.js";
import { createThresholdPreviewSubcommand } from "../../src/slack/commands/threshold-preview.js";
import { demoConfig, demoConfigYaml } from "../../src/sources/demo/catalog.js";
import { generateDemoRecords } from "../../src/sources/demo/generate.js";
import { createStore } from "../../src/store/index.js";
import { openDatabase } from "../../src/store/db.js";
import { vitals } from "../cli/run.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { decodePng } from "../present/png.js";

// The jobs over the real KPI engine and the demo data (3 teams, 8 services, a year of history).

const NOW = "2026-11-23T10:00:00Z";
let dir: string;
let slack: FakeSlack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vitals-demo-jobs-"));
  const config = demoConfig();
  writeFileSync(join(dir, "demo.yml"), demoConfigYaml());
  const store = createStore(openDatabase(join(dir, "demo.db")));
  store.catalog.syncFromConfig(config);
  store.write(generateDemoRecords({ nowMs: Date.parse(NOW) }));
  store.close();
  slack = await startFakeSlack();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await slack.close();
});

function deps() {
  const config = demoConfig();
  const store = createStore(openDatabase(join(dir, "demo.db")));
  return { store, config, env: parseEnv({}), logger: silentLogger(), now: () => Date.parse(NOW) };
}

describe("jobs on the demo data", () => {
  it("vitals digest --team payments prints a real digest and writes its chart", async () => {
    const { code, stdout, stderr } = await vitals(["digest", "--db", join(dir, "demo.db"), "--config", join(dir, "demo.yml"), "--team", "payments", "--out", dir, "--now", NOW]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("Weekly digest: Payments, 16–22 Nov 2026");
    expect(stdout).toMatch(/Biggest mover: .+ week over week/);
    expect(stdout).toMatch(/Change failure rate\s+\d/);
    const chart = stdout.match(/Chart: (.+\.png)/)![1]!;
    const png = decodePng(readFileSync(chart));
    expect(png.height).toBeGreaterThan(1000);
  }, 60_000);

  it("posts the story's threshold breaches once, with drivers, and nothing on the next evaluation", async () => {
    const d = deps();
    const ctx = { deps: d, slack: slack.client(), engine: kpiEngine };
    const pending = await pendingAlertTexts(d, kpiEngine, Date.parse(NOW));
    expect(pending.some((t) => t.startsWith("Change failure rate for service checkout is in "))).toBe(true);
    const first = await runAlerts(ctx, Date.parse(NOW));
    expect(first).toHaveLength(pending.length);
    expect(await pendingAlertTexts(d, kpiEngine, Date.parse(NOW))).toEqual([]);
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((o) => o.action === "breach")).toBe(true);
    expect(first.map((o) => `${o.metric} ${o.scope}`)).toContain("change_failure_rate service:checkout");
    expect(await runAlerts(ctx, Date.parse(NOW) + 3_600_000)).toEqual([]);
    d.store.close();
  }, 60_000);

  it("previews a threshold over the last 90 days in a few seconds", async () => {
    const d = deps();
    const started = performance.now();
    const reply = await createThresholdPreviewSubcommand(previewRules).run({ deps: d, args: ["cfr", "warn", "10", "critical", "15"], text: "", userId: "U1", channelId: "C1", isAdmin: false });
    const seconds = (performance.now() - started) / 1000;
    expect(reply.text).toContain("*Threshold preview: Change failure rate* warn 10 %, critical 15 %");
    expect(reply.text).toMatch(/• Team payments: now [\d.]+ % .+/);
    expect(seconds).toBeLessThan(10);
    d.store.close();
  }, 60_000);
});
