import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseFileConfig } from "../../src/config/file.js";
import { demoConfigYaml } from "../../src/sources/demo/catalog.js";
import { demoRecordBatches } from "../../src/sources/demo/generate.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";
import { runCli } from "../../src/cli/main.js";

/** Run the CLI in-process with captured output (the same entry point bin/vitals.js uses). */
export async function vitals(argv: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: async () => options.stdin ?? "",
    env: { LOG_LEVEL: "error", ...options.env },
  });
  return { code, stdout, stderr };
}

/**
 * A demo database and config in a fresh temp folder (150 days up to `now`), for `vitals ask`
 * tests; returns the folder (remove it after) and the `--db … --config … --now …` arguments.
 */
export function demoDatabase(prefix: string, now: string): { dir: string; args: string[] } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dbPath = join(dir, "demo.db");
  const configPath = join(dir, "demo.yml");
  const yaml = demoConfigYaml();
  writeFileSync(configPath, yaml);
  const config = parseFileConfig(yaml, configPath);
  const store = createStore(openDatabase(dbPath), { productionEnvironment: "production", attributionWindowMs: config.metrics.attribution_window_hours * 3_600_000 });
  store.catalog.syncFromConfig(config);
  for (const batch of demoRecordBatches({ nowMs: Date.parse(now), days: 150 })) store.write(batch);
  store.close();
  return { dir, args: ["--db", dbPath, "--config", configPath, "--now", now] };
}
