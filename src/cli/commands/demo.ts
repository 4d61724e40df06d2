import { rmSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { demoConfigYaml } from "../../sources/demo/catalog.js";
import { demoRecordBatches } from "../../sources/demo/generate.js";
import { parseFileConfig } from "../../config/file.js";
import { openStore, withSlackSettings } from "../../app/root.js";
import { COMMON_HELP, UsageError, type CliCommand } from "../context.js";
import { showDemo } from "./demo-show.js";

export const DEMO_DB = "./data/demo.db";

export const demoCommand: CliCommand = {
  name: "demo",
  help: `Usage: vitals demo [--out DIR] [--seed N] [--days N] [options]

Generates deterministic demo data (a year of deployments, pull requests, incidents, uptime, latency,
error, coverage, debt and cost samples for 3 teams and 8 services, with a story in the last four
weeks), writes it to DIR/demo.db with the matching config DIR/demo.yml (default DIR: ./data), then
runs the main job: each team's weekly digest, rendered as text with its chart saved as PNG, and the
threshold alerts that would be posted. No Slack account is needed. Re-running rebuilds the database.

Afterwards, ask your own questions:
  vitals ask --db data/demo.db --config data/demo.yml "cfr last 30d for payments"

${COMMON_HELP}`,
  options: { out: { type: "string" }, seed: { type: "string" }, days: { type: "string" } },
  allowPositionals: false,
  async run(ctx) {
    const dir = typeof ctx.values.out === "string" ? ctx.values.out : typeof ctx.values.db === "string" ? dirname(ctx.values.db) : "./data";
    const dbPath = typeof ctx.values.db === "string" ? ctx.values.db : join(dir, "demo.db");
    const seed = positiveInt(ctx.values.seed, "--seed", 42);
    const days = positiveInt(ctx.values.days, "--days", 365);
    const configPath = join(dir, "demo.yml");
    const yaml = demoConfigYaml();
    const config = parseFileConfig(yaml, configPath);
    mkdirSync(dir, { recursive: true });
    writeFileSync(configPath, yaml);
    for (const suffix of ["", "-wal", "-shm"]) rmSync(dbPath + suffix, { force: true });

    const started = performance.now();
    const store = openStore(dbPath, config);
    try {
      const nowMs = ctx.now();
      let records = 0;
      for (const batch of demoRecordBatches({ nowMs, seed, days })) {
        await store.write(batch);
        records += batch.length;
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      ctx.io.stdout(`Demo data: ${records.toLocaleString("en-US")} records for ${config.teams.length} teams and ${config.services.length} services written to ${dbPath} in ${seconds}s (config: ${configPath}).\n\n`);
      await showDemo({ deps: withSlackSettings({ store, config, env: ctx.env, logger: ctx.logger, now: () => nowMs }), nowMs, outDir: dir, io: ctx.io });
      ctx.io.stdout(`\nAsk your own questions, e.g.:\n  node bin/vitals.js ask --db ${dbPath} --config ${configPath} "cfr last 30d for payments"\n`);
    } finally {
      await store.close();
    }
    return 0;
  },
};

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name}: expected a positive whole number (got "${String(value)}")`);
  return n;
}
