/* eslint-disable no-console -- a command-line script that prints its measurements */
// Timing of answerKpi on a large org, outside vitest (run by hand; `npm run bench` is the official
// benchmark). Usage:
//   npx tsx test/metrics/perf-script.ts build <db> [scale]   # generate bench/org.ts data into <db>
//   npx tsx test/metrics/perf-script.ts bulk <db> [scale]    # the same shape written with direct INSERTs (fast), then the derived data rebuilt
//   npx tsx test/metrics/perf-script.ts time <db> [scale]    # median ms per metric and scope
import { existsSync } from "node:fs";
import { benchOrg, benchRecordBatches } from "../../bench/org.js";
import { parseFileConfig } from "../../src/config/file.js";
import { METRIC_IDS } from "../../src/domain/metric-ids.js";
import type { Scope } from "../../src/domain/scope.js";
import { answerKpi } from "../../src/query/run.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";

const [mode, path, scaleArg] = process.argv.slice(2);
const nowMs = Date.parse("2026-03-20T12:00:00Z");
const scale = Number(scaleArg ?? 1);
const org = benchOrg({ nowMs, scale });
const config = parseFileConfig(org.configYaml, "bench.yml");
if (!path) throw new Error("usage: perf-script.ts build|time <db> [scale]");
const store = createStore(openDatabase(path));

if (mode === "bulk") {
  store.catalog.syncFromConfig(config);
  const started = performance.now();
  bulkInsert(org.services.map((s) => s.id));
  // The direct INSERTs bypass the store's write paths: derive everything from the records once.
  const derivedAt = performance.now();
  store.derived.rebuild();
  console.log(`derived data rebuilt in ${((performance.now() - derivedAt) / 1000).toFixed(1)} s`);
  store.db.pragma("optimize");
  console.log(`bulk insert in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} else if (mode === "build") {
  if (existsSync(path) && (store.db.prepare("SELECT count(*) FROM deployments").pluck().get() as number) > 0) throw new Error(`${path} already has data`);
  store.catalog.syncFromConfig(config);
  const started = performance.now();
  let rows = 0;
  for (const batch of benchRecordBatches(org, { nowMs, scale })) {
    store.write(batch);
    rows += batch.length;
  }
  store.db.pragma("optimize");
  console.log(`${rows} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} else {
  const counts = store.db.prepare(`SELECT (SELECT count(*) FROM deployments) d, (SELECT count(*) FROM changes) c, (SELECT count(*) FROM incidents) i, (SELECT count(*) FROM services) s`).get();
  console.log(counts);
  const window = { fromMs: nowMs - 30 * 86_400_000, toMs: nowMs };
  const scopes: Scope[] = [{ kind: "org", id: null }, { kind: "team", id: org.teams[0]!.id }, { kind: "service", id: org.services[0]!.id }];
  for (const metric of METRIC_IDS) {
    const line: string[] = [];
    for (const scope of scopes) {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = performance.now();
        await answerKpi({ store, config, nowMs }, { metric, scope, window, windowLabel: "last 30 days" });
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      line.push(`${scope.kind} ${times[3]!.toFixed(1)} ms`);
    }
    console.log(metric.padEnd(22), line.join("  "));
  }
}

/**
 * The bench org's shape without the store's per-record write path: ~230k deployments, ~800k
 * changes (first deployment already resolved), ~100k incidents (half linked to the deployment
 * before them), daily samples. Only for timing reads.
 */
function bulkInsert(services: readonly string[]): void {
  let seed = 12345;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const db = store.db;
  const deploy = db.prepare(`INSERT INTO deployments (source, external_id, service_id, environment, status, finished_at, sha, rollback_of, rollback_of_id, is_hotfix)
    VALUES ('demo', ?, ?, 'production', ?, ?, ?, ?, ?, ?)`);
  const change = db.prepare(`INSERT INTO changes (service_id, change_key, committed_at, pr_number, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size, first_deployment_id, first_deployed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const incident = db.prepare(`INSERT INTO incidents (source, external_id, service_id, title, severity, urgency, priority, status, created_at, acknowledged_at, resolved_at, linked_deployment_id, link_rule)
    VALUES ('demo', ?, ?, ?, ?, 'high', ?, 'resolved', ?, ?, ?, ?, ?)`);
  const sample = db.prepare(`INSERT INTO samples (service_id, name, at, source, value) VALUES (?, ?, ?, 'demo', ?)`);
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const start = Math.floor(nowMs / DAY) * DAY - 730 * DAY;
  db.transaction(() => {
    services.forEach((service, index) => {
      let pr = 0;
      let counter = 0;
      let last: { id: number; at: number } | null = null;
      for (let day = start; day < nowMs; day += DAY) {
        const workday = new Date(day).getUTCDay() % 6 !== 0;
        const deploys = workday ? Math.floor(random() * 4.6) : 0;
        for (let k = 0; k < deploys; k++) {
          const at = day + 8 * HOUR + Math.floor(random() * 10 * HOUR);
          if (at >= nowMs) continue;
          const id = Number(deploy.run(`${service}-d${++counter}`, service, random() < 0.04 ? "failure" : "success", at, `sha${index}x${counter}`, null, null, random() < 0.02 ? 1 : 0).lastInsertRowid);
          for (let c = 0, n = random() < 0.5 ? 3 : 4; c < n; c++) {
            const merged = at - random() * 5 * HOUR;
            const review = merged - random() * 6 * HOUR;
            const opened = review - random() * 14 * HOUR;
            const committed = opened - random() * 40 * HOUR;
            pr++;
            change.run(service, `pr:${pr}`, Math.round(committed), pr, Math.round(opened), Math.round(review), Math.round(merged), Math.round(10 + random() * 900), id, at);
          }
          if (random() < 0.03) deploy.run(`${service}-d${++counter}`, service, "success", at + HOUR, null, `${service}-d${counter - 1}`, id, 0);
          last = { id, at };
        }
        if (random() < 0.57) {
          const created = day + Math.floor(random() * DAY);
          const linked = last && created - last.at < DAY && random() < 0.5 ? last.id : null;
          const ack = created + random() * HOUR;
          const resolved = ack + random() * 8 * HOUR;
          incident.run(`${service}-i${day}`, service, `incident ${day}`, random() < 0.15 ? "SEV1" : "SEV2", "P2", created, Math.round(ack), resolved < nowMs ? Math.round(resolved) : null, linked, linked ? "heuristic" : null);
        }
        sample.run(service, "uptime_pct", day, 99 + random());
        sample.run(service, "latency_p95_ms", day, 100 + random() * 200);
        sample.run(service, "requests", day, 100_000 + random() * 100_000);
        sample.run(service, "errors", day, random() * 500);
        sample.run(service, "infra_cost_usd", day, 100 + random() * 50);
        if (new Date(day).getUTCDay() === 1) {
          sample.run(service, "coverage_pct", day, 60 + random() * 30);
          sample.run(service, "tech_debt_ratio_pct", day, 1 + random() * 9);
        }
      }
    });
    for (let day = start; day < nowMs; day += DAY) {
      sample.run("", "active_users", day, 900_000 + random() * 50_000);
      sample.run("", "infra_cost_usd", day, 5000);
    }
  })();
}
