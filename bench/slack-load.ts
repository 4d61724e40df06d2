import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { parseEnv } from "../src/config/env.js";
import { silentLogger } from "../src/log.js";
import { startApp } from "../src/app/start.js";
import { buildDeps } from "../src/app/root.js";
import { questionEngine } from "../src/app/engines.js";
import { demoConfig } from "../src/sources/demo/catalog.js";
import { demoRecordBatches } from "../src/sources/demo/generate.js";
import { openDatabase } from "../src/store/db.js";
import { createStore } from "../src/store/index.js";
import { startFakeSlack } from "../test/fakes/slack/server.js";
import { slackSignature, slashCommandBody } from "../test/fakes/slack/signed.js";

// Load test of the Slack app (issue 8): 500 signed `/kpi` requests at concurrency 20 over real HTTP
// against the app on 127.0.0.1 (HTTP receiver as in production: ack first, answer after) with a
// year of demo data and a fake Slack. Reports the acknowledgement latency (what Slack's 3-second
// limit applies to) and the time until every answer reached its response_url.
// Run: npx tsx bench/slack-load.ts [--requests 500] [--concurrency 20] [--json]

const QUESTIONS = [
  "mttr last 30 days for team payments",
  "cfr last 30d for checkout",
  "lead time this quarter for team platform",
  "deploys last 90 days",
  "summary last 30 days for team growth",
  "uptime last 30 days for gateway",
  "latency last 7 days for web",
  "error rate last 30 days",
  "mtta last 30 days for team payments",
  "lead time last 30 days vs last 60 days",
];

export interface SlackLoadResult {
  requests: number;
  concurrency: number;
  ackLatencyMs: { p50: number; p95: number; p99: number; max: number };
  errors: number;
  non2xx: number;
  answered: number;
  allAnsweredAfterSeconds: number;
  requestsPerSecond: number;
}

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name}: expected a positive whole number`);
  return value;
}

export async function runSlackLoad(options: { requests: number; concurrency: number; progress?: (line: string) => void }): Promise<SlackLoadResult> {
  const progress = options.progress ?? (() => {});
  const nowMs = Date.UTC(2026, 4, 4, 9, 0, 0);
  const slack = await startFakeSlack();
  const secret = "bench-signing-secret-0123456789abcdef";
  const config = demoConfig();
  const store = createStore(openDatabase(":memory:"), {
    productionEnvironment: config.production_environment,
    attributionWindowMs: config.metrics.attribution_window_hours * 3_600_000,
  });
  store.catalog.syncFromConfig(config);
  progress("Importing a year of demo data …");
  for (const batch of demoRecordBatches({ nowMs, days: 365 })) store.write(batch);
  const env = parseEnv({ SLACK_BOT_TOKEN: "xoxb-bench", SLACK_SIGNING_SECRET: secret, SLACK_API_URL: slack.apiUrl, LOG_LEVEL: "silent" });
  const deps = buildDeps(env, { config, store, logger: silentLogger(), now: () => nowMs });
  const app = await startApp(deps, { engine: questionEngine, port: 0, host: "127.0.0.1", retries: 0 });
  const url = `http://127.0.0.1:${app.port}/slack/events`;
  let sent = 0;
  const responseUrls: string[] = [];
  try {
    progress(`Sending ${options.requests} signed /kpi requests at concurrency ${options.concurrency} …`);
    const started = performance.now();
    const result = await autocannon({
      url,
      connections: options.concurrency,
      amount: options.requests,
      requests: [
        {
          method: "POST",
          setupRequest: (request) => {
            const responseUrl = slack.responseUrl();
            responseUrls.push(responseUrl);
            const body = slashCommandBody({ text: QUESTIONS[sent++ % QUESTIONS.length]!, responseUrl, userId: `U${sent}` });
            const timestamp = Math.floor(Date.now() / 1000);
            return {
              ...request,
              body,
              headers: {
                "content-type": "application/x-www-form-urlencoded",
                "x-slack-request-timestamp": String(timestamp),
                "x-slack-signature": slackSignature(secret, timestamp, body),
              },
            };
          },
        },
      ],
    });
    await Promise.all(responseUrls.map((u) => slack.responseTo(u)));
    const allAnsweredAfterSeconds = (performance.now() - started) / 1000;
    return {
      requests: result.requests.total,
      concurrency: options.concurrency,
      ackLatencyMs: { p50: result.latency.p50, p95: percentileOf(result, 95), p99: result.latency.p99, max: result.latency.max },
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      answered: slack.responses.length,
      allAnsweredAfterSeconds,
      requestsPerSecond: result.requests.total / allAnsweredAfterSeconds,
    };
  } finally {
    await app.stop();
    await slack.close();
    store.close();
  }
}

/** autocannon reports p90 and p97.5, not p95: interpolate between them (linear in rank). */
function percentileOf(result: autocannon.Result, p: 95): number {
  const { p90, p97_5 } = result.latency;
  return Number((p90 + ((p - 90) / 7.5) * (p97_5 - p90)).toFixed(2));
}

export function formatSlackLoad(r: SlackLoadResult): string {
  return [
    `Slack /kpi load test: ${r.requests} signed requests, concurrency ${r.concurrency}, a year of demo data`,
    `  acknowledgement latency: p50 ${r.ackLatencyMs.p50} ms, p95 ≈ ${r.ackLatencyMs.p95} ms, p99 ${r.ackLatencyMs.p99} ms, max ${r.ackLatencyMs.max} ms (Slack's limit: 3000 ms)`,
    `  errors: ${r.errors}, non-2xx: ${r.non2xx}`,
    `  answers posted to response_url: ${r.answered}/${r.requests}, all within ${r.allAnsweredAfterSeconds.toFixed(1)} s (${r.requestsPerSecond.toFixed(0)} questions/s)`,
    r.ackLatencyMs.max < 3000 && r.errors === 0 && r.non2xx === 0 ? "  OK: every acknowledgement under 3 s" : "  FAILED: an acknowledgement took 3 s or more, or requests failed",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runSlackLoad({ requests: arg("requests", 500), concurrency: arg("concurrency", 20), progress: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(process.argv.includes("--json") ? `${JSON.stringify(result, null, 2)}\n` : `${formatSlackLoad(result)}\n`);
  process.exitCode = result.ackLatencyMs.max < 3000 && result.errors === 0 && result.non2xx === 0 ? 0 : 1;
}
