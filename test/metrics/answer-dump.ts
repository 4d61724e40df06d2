/* eslint-disable no-console -- a command-line script that prints where it wrote the dump */
// Every answerKpi result (all metrics × org, every team, five services × several windows) on the demo
// database and on a generated organisation, one JSON line each, so a refactor can prove its answers
// unchanged (issue 12 "Done when"). Usage:
//   npx tsx test/metrics/answer-dump.ts <out.ndjson> [bench-scale]
//   npx tsx test/metrics/answer-dump.ts --compare <before.ndjson> <after.ndjson>
// The compare mode fails on any difference in numbers or structure and lists text differences
// (strings) separately, grouped by field, so wording changes can be reviewed one by one.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchOrg, benchRecordBatches } from "../../bench/org.js";
import { parseFileConfig, type FileConfig } from "../../src/config/file.js";
import { storeOptionsFrom } from "../../src/config/store-options.js";
import { METRIC_IDS } from "../../src/domain/metric-ids.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import type { Scope } from "../../src/domain/scope.js";
import { answerKpi } from "../../src/query/run.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";
import { demoConfigYaml } from "../../src/sources/demo/catalog.js";
import { demoRecordBatches } from "../../src/sources/demo/generate.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-03-20T12:00:00Z");

interface Dataset {
  name: string;
  yaml: string;
  batches: Iterable<VitalsRecord[]>;
}

function windows(nowMs: number): { label: string; fromMs: number; toMs: number }[] {
  return [
    { label: "last 7 days", fromMs: nowMs - 7 * DAY, toMs: nowMs },
    { label: "last 30 days", fromMs: nowMs - 30 * DAY, toMs: nowMs },
    { label: "last 90 days", fromMs: nowMs - 90 * DAY, toMs: nowMs },
    { label: "2026-02-01 to 2026-02-28", fromMs: Date.parse("2026-02-01T00:00:00Z"), toMs: Date.parse("2026-03-01T00:00:00Z") },
  ];
}

function scopes(config: FileConfig): Scope[] {
  const services = config.services.map((s) => s.id).sort().slice(0, 5);
  return [{ kind: "org", id: null }, ...config.teams.map((t): Scope => ({ kind: "team", id: t.id })), ...services.map((id): Scope => ({ kind: "service", id }))];
}

async function dump(dataset: Dataset, lines: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "vitals-dump-"));
  try {
    const config = parseFileConfig(dataset.yaml, `${dataset.name}.yml`);
    const store = createStore(openDatabase(join(dir, "dump.db")), storeOptionsFrom(config));
    store.catalog.syncFromConfig(config);
    for (const batch of dataset.batches) store.write(batch);
    for (const metric of METRIC_IDS)
      for (const scope of scopes(config))
        for (const w of windows(NOW)) {
          const answer = await answerKpi({ store, config, nowMs: NOW }, { metric, scope, window: { fromMs: w.fromMs, toMs: w.toMs }, windowLabel: w.label });
          lines.push(JSON.stringify({ key: `${dataset.name} ${metric} ${scope.kind}:${scope.id ?? "-"} ${w.label}`, answer }));
        }
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Differences between two JSON values: numbers/structure in `hard`, strings in `text`. */
function diff(a: Json, b: Json, path: string, hard: string[], text: string[]): void {
  if (typeof a === "string" && typeof b === "string") {
    if (a !== b) text.push(`${path}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) hard.push(`${path}: length ${a.length} → ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) diff(a[i]!, b[i]!, `${path}[${i}]`, hard, text);
    return;
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(k in a) || !(k in b)) hard.push(`${path}.${k}: ${k in a ? "removed" : "added"}`);
      else diff(a[k]!, b[k]!, `${path}.${k}`, hard, text);
    }
    return;
  }
  if (!Object.is(a, b)) hard.push(`${path}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
}

function compare(beforePath: string, afterPath: string): number {
  const read = (p: string): Map<string, Json> =>
    new Map(readFileSync(p, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { key: string; answer: Json }).map((r) => [r.key, r.answer]));
  const before = read(beforePath);
  const after = read(afterPath);
  const hard: string[] = [];
  const text: string[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(key);
    const b = after.get(key);
    if (a === undefined || b === undefined) hard.push(`${key}: ${a === undefined ? "added" : "missing"}`);
    else diff(a, b, key, hard, text);
  }
  // Wording changes grouped by field path without the answer key, so one formatter change is one line.
  const grouped = new Map<string, number>();
  for (const t of text) {
    const field = t.replace(/^\S+ \S+ \S+ [^.[]*/, "").replace(/\[\d+\]/g, "[]");
    grouped.set(field, (grouped.get(field) ?? 0) + 1);
  }
  console.log(`${before.size} answers before, ${after.size} after; ${hard.length} number/structure differences, ${text.length} text differences`);
  for (const h of hard.slice(0, 50)) console.log(`  DIFF ${h}`);
  for (const [field, n] of [...grouped].sort((x, y) => y[1] - x[1]).slice(0, 80)) console.log(`  text ×${n} ${field}`);
  return hard.length === 0 ? 0 : 1;
}

// `… --compare a b | head` closes the pipe early: that is the reader being done, not a failure.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit();
  throw error;
});

const args = process.argv.slice(2);
if (args[0] === "--compare") {
  process.exitCode = compare(args[1]!, args[2]!);
} else {
  const out = args[0];
  if (!out) throw new Error("usage: answer-dump.ts <out.ndjson> [bench-scale] | --compare <before> <after>");
  const scale = Number(args[1] ?? 0.1);
  const lines: string[] = [];
  const started = performance.now();
  await dump({ name: "demo", yaml: demoConfigYaml(), batches: demoRecordBatches({ nowMs: NOW, seed: 42, days: 365 }) }, lines);
  const org = benchOrg({ nowMs: NOW, scale });
  await dump({ name: `bench@${scale}`, yaml: org.configYaml, batches: benchRecordBatches(org, { nowMs: NOW, scale }) }, lines);
  writeFileSync(out, lines.join("\n") + "\n");
  console.log(`${lines.length} answers written to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
