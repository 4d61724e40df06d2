import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDigestCommand } from "../../src/cli/commands/digest.js";
import { buildContext, type CliIo } from "../../src/cli/context.js";
import { openDatabase } from "../../src/store/db.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { decodePng } from "../present/png.js";
import { kpiEngine } from "../../src/app/engines.js";
import type { KpiEngine } from "../../src/query/engine.js";
import { CONFIG_YAML, scriptedEngine } from "./helpers.js";

let dir: string;
let slack: FakeSlack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vitals-digest-cli-"));
  writeFileSync(join(dir, "vitals.yml"), CONFIG_YAML);
  // `vitals digest` reads an existing database; it never creates one.
  openDatabase(join(dir, "v.db")).close();
  slack = await startFakeSlack();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await slack.close();
});

async function digest(argv: string[], env: Record<string, string> = {}, engine: () => KpiEngine = () => scriptedEngine()) {
  const command = createDigestCommand(engine);
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => "", env: { LOG_LEVEL: "error", ...env } };
  const ctx = buildContext(command, ["--db", join(dir, "v.db"), "--config", join(dir, "vitals.yml"), "--out", dir, "--now", "2026-03-04T12:00:00Z", ...argv], io);
  const code = await command.run(ctx);
  return { code, stdout, stderr };
}

describe("vitals digest", () => {
  it("prints a team's digest and writes its chart", async () => {
    const { code, stdout } = await digest(["--team", "payments"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Weekly digest: Payments, 23 Feb–1 Mar 2026 (Europe/Berlin)");
    expect(stdout).toContain("Biggest mover:");
    const file = join(dir, "digest-payments-2026-03-02.png");
    expect(stdout).toContain(`Chart: ${file}`);
    expect(decodePng(readFileSync(file)).width).toBeGreaterThan(1600); // 2× zoom of the Vega layout
  });

  it("posts with --post once per week, then says it is already out", async () => {
    const env = { SLACK_BOT_TOKEN: "xoxb-test", SLACK_API_URL: slack.apiUrl };
    const first = await digest(["--team", "growth", "--post"], env);
    expect(first.stdout).toMatch(/Posted to C0GROWTH1 \(ts \d+\.\d+\)/);
    expect(slack.callsTo("files.completeUploadExternal")).toHaveLength(1);
    const second = await digest(["--team", "growth", "--post"], env);
    expect(second.stdout).toContain("Not posted: the digest for the week of 2026-03-02 is already out.");
    expect(slack.callsTo("chat.postMessage")).toHaveLength(1);
  });

  it("prints JSON with --json: one object per team, its week, biggest mover, KPIs and reviews", async () => {
    const { code, stdout } = await digest(["--json"]);
    expect(code).toBe(0);
    const teams = JSON.parse(stdout) as Array<Record<string, unknown>>;
    expect(teams.map((t) => t["team"])).toEqual(["payments", "growth"]);
    const payments = teams[0]!;
    expect(payments["week"]).toEqual({ from: "2026-02-22T23:00:00.000Z", to: "2026-03-01T23:00:00.000Z", label: "23 Feb–1 Mar 2026" });
    expect(payments["no_data"]).toBe(false);
    expect((payments["kpis"] as unknown[]).length).toBe(12);
    // Twelve KPIs at p = 0.001 each: Holm keeps the first at 0.012 < 0.05.
    expect(payments["biggest_mover"]).toMatchObject({ metric: "deployment_frequency", basis: "change", p_value: 0.001, tests: 12 });
    expect((payments["biggest_mover"] as { p_adjusted: number }).p_adjusted).toBeCloseTo(0.012, 12);
    expect(payments["reviews"]).toMatchObject({ open: 0, overdue: 0 });
  });

  it("gives a team without data its object too, with the sources to connect", async () => {
    const { stdout } = await digest(["--json", "--team", "growth"], {}, () => kpiEngine);
    const [growth] = JSON.parse(stdout) as Array<Record<string, unknown>>;
    expect(growth).toMatchObject({ team: "growth", no_data: true, biggest_mover: null, kpis: [] });
    expect(growth!["missing_sources"]).toContain("PagerDuty (incidents)");
    const text = await digest(["--team", "growth"], {}, () => kpiEngine);
    expect(text.stdout).toMatch(/No data yet for Growth: connect .*PagerDuty \(incidents\)/);
    expect(text.stdout).not.toContain("Quiet week");
  });

  it("refuses an unknown team and --post without a token, saying what to do", async () => {
    await expect(digest(["--team", "mobile"])).rejects.toThrow('--team: unknown team "mobile"; teams: payments, growth');
    await expect(digest(["--post"])).rejects.toThrow("--post: set SLACK_BOT_TOKEN");
    expect(existsSync(join(dir, "digest-mobile-2026-03-02.png"))).toBe(false);
  });

  it("gives up on an unreachable Slack within seconds, exit 1 and the reason", async () => {
    const { createServer } = await import("node:net");
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const started = Date.now();
    const result = await digest(["--team", "payments", "--post"], { SLACK_BOT_TOKEN: "xoxb-test", SLACK_API_URL: `http://127.0.0.1:${port}/api` });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`vitals digest: not posted: Slack at 127.0.0.1:${port}: connection refused (nothing listens there: check the URL and port)\n`);
    // Three attempts with waits of 1 s and 2 s.
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});
