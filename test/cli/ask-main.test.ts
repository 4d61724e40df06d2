import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli as runAsk } from "../../src/cli/ask-main.js";
import { parseFileConfig } from "../../src/config/file.js";
import { demoConfigYaml } from "../../src/sources/demo/catalog.js";
import { demoRecordBatches } from "../../src/sources/demo/generate.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";
import { vitals } from "./run.js";

// `vitals ask` has its own bundle (dist/cli/ask.cjs, built from src/cli/ask-main.ts): whatever the
// arguments, it must print and exit exactly as the full CLI does.

const NOW = "2026-05-04T09:00:00Z";
let dir: string;
let args: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vitals-ask-main-"));
  const dbPath = join(dir, "demo.db");
  const configPath = join(dir, "demo.yml");
  const yaml = demoConfigYaml();
  writeFileSync(configPath, yaml);
  const config = parseFileConfig(yaml, configPath);
  const store = createStore(openDatabase(dbPath));
  store.catalog.syncFromConfig(config);
  for (const batch of demoRecordBatches({ nowMs: Date.parse(NOW), days: 60 })) store.write(batch);
  store.close();
  args = ["--db", dbPath, "--config", configPath, "--now", NOW];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function viaAskMain(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runAsk(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readStdin: async () => "", env: { LOG_LEVEL: "error" } });
  return { code, stdout, stderr };
}

describe("the ask entry (src/cli/ask-main.ts)", () => {
  const cases: [string, () => string[]][] = [
    ["a metric", () => ["ask", ...args, "cfr last 30d for payments"]],
    ["--json with vs", () => ["ask", ...args, "--json", "lead time last 30d for checkout vs previous 30d"]],
    ["--csv", () => ["ask", ...args, "--csv", "deploys last 30d for payments"]],
    ["a summary", () => ["ask", ...args, "summary"]],
    ["explain", () => ["ask", ...args, "explain uptime"]],
    ["a question that does not parse", () => ["ask", ...args, "flux capacitance"]],
    ["no question", () => ["ask", ...args]],
    ["--help", () => ["ask", "--help"]],
    ["an unknown option", () => ["ask", ...args, "--jsn", "cfr"]],
    ["a missing database", () => ["ask", "--db", join(dir, "missing.db"), "cfr"]],
  ];
  for (const [name, argv] of cases) {
    it(`answers ${name} as vitals ask does`, async () => {
      const expected = await vitals(argv());
      const actual = await viaAskMain(argv());
      expect(actual).toEqual(expected);
      expect(expected.stdout + expected.stderr).not.toBe("");
    });
  }

  it("reports a failure with an error id, as the full CLI does", async () => {
    const bad = join(dir, "not-a-database.db");
    writeFileSync(bad, "not sqlite at all, just text that is long enough to be read as a header page\n".repeat(20));
    const { code, stdout, stderr } = await viaAskMain(["ask", "--db", bad, "--config", args[3]!, "cfr"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^vitals ask: file is not a database \(error id [0-9a-f]{8}\)\n$/);
  });
});
