import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRIC_IDS } from "../../src/domain/metric-ids.js";
import { startTestPostgres } from "../support/postgres.js";
import { demoDatabase, vitals } from "./run.js";

// End to end: `vitals ask` over a database of demo data (the lead's generator), through the real
// parser, answerKpi and renderers.

const NOW = "2026-05-04T09:00:00Z";
let dir: string;
let args: string[];

beforeAll(() => {
  ({ dir, args } = demoDatabase("vitals-ask-", NOW));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("vitals ask --json", () => {
  for (const metric of METRIC_IDS) {
    it(`answers ${metric} on the demo data with the public Answer fields`, async () => {
      const { code, stdout, stderr } = await vitals(["ask", ...args, "--json", `${metric} last 30 days for payments`]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const answer = JSON.parse(stdout);
      expect(answer.metric).toBe(metric);
      expect(answer.window).toMatchObject({ from: "2026-04-04T09:00:00.000Z", to: "2026-05-04T09:00:00.000Z" });
      expect(answer.scope).toEqual({ kind: "team", id: "payments" });
      for (const field of ["value", "unit", "sample_size", "stats", "previous", "change", "tier", "threshold", "series", "drivers", "prompts", "annotations"]) {
        expect(answer, `${metric}.${field}`).toHaveProperty(field);
      }
      expect(answer.series).toHaveLength(12);
      expect(answer.previous.window).toEqual({ from: "2026-03-05T09:00:00.000Z", to: "2026-04-04T09:00:00.000Z" });
    });
  }

  it("adds the compared answer for vs", async () => {
    const { code, stdout } = await vitals(["ask", ...args, "--json", "deploys last 30d for checkout vs last quarter"]);
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer.scope).toEqual({ kind: "service", id: "checkout" });
    // checkout belongs to payments (Europe/Berlin): the quarter starts at midnight Berlin time.
    expect(answer.compared.window).toMatchObject({ from: "2025-12-31T23:00:00.000Z", to: "2026-03-31T22:00:00.000Z", label: "last quarter" });
  });

  it("prints the four keys for summary and the explanation for explain", async () => {
    const summary = JSON.parse((await vitals(["ask", ...args, "--json", "dora"])).stdout);
    expect(summary.map((a: { metric: string }) => a.metric)).toEqual(["deployment_frequency", "lead_time", "change_failure_rate", "mttr"]);
    const explanation = JSON.parse((await vitals(["ask", ...args, "--json", "explain cfr"])).stdout);
    expect(explanation.metric).toBe("change_failure_rate");
    expect(explanation.coverage.length).toBeGreaterThan(0);
  });
});

describe("vitals ask (text)", () => {
  it("prints the value with its unit, the trend and the sparkline", async () => {
    const { code, stdout } = await vitals(["ask", ...args, "cfr", "last", "30d", "for", "checkout"]);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("Change failure rate — service checkout, last 30 days (Apr 4–May 4, 2026)");
    expect(lines[1]).toMatch(/^ {2}(\d+(\.\d+)? %|N\/A) {3}/);
    expect(lines[1]).toMatch(/(improved|worsened|unchanged|no comparison)(, (significant|within normal variation|no test|too few).*)?$/);
    // "last 30 days" ends mid-week: that week is marked, not drawn as a collapse to ▁.
    expect(stdout).toMatch(/12 weeks: [▁▂▃▄▅▆▇█ ]{11}· {2}\(latest full week with data: [\d.]+ %, · this week so far; /);
  });

  it("explains a metric with its coverage", async () => {
    const { code, stdout } = await vitals(["ask", ...args, "explain lead time"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Lead time for changes (lead_time, hours, higher is worse)");
    expect(stdout).toMatch(/production deployments have no commits attached/);
  });

  it("exits 2 with the parser's message for a question it cannot read", async () => {
    const { code, stdout, stderr } = await vitals(["ask", ...args, "crf for paymnets"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^vitals ask: unknown metric "crf"\. Did you mean "cfr"\? Expected/);
    const scope = await vitals(["ask", ...args, "cfr for paymnets"]);
    expect(scope.stderr).toContain('unknown team or service "paymnets". Did you mean "payments"?');
  });

  it("asks for a question when given none", async () => {
    const { code, stderr } = await vitals(["ask", ...args]);
    expect(code).toBe(2);
    expect(stderr).toContain('expected a question, e.g. vitals ask "cfr last 30d for payments"');
  });
});

describe("vitals ask behaves like /kpi", () => {
  it("accepts a trailing public, as /kpi does", async () => {
    const plain = await vitals(["ask", ...args, "cfr last week for payments"]);
    const shared = await vitals(["ask", ...args, "cfr last week for payments public"]);
    expect(shared.code).toBe(0);
    expect(shared.stdout).toBe(plain.stdout);
  });

  it("does not create a database that is not there: it names the file and points at the demo's", async () => {
    const missing = join(dir, "nothing-here.db");
    const result = await vitals(["ask", "--db", missing, "--config", join(dir, "demo.yml"), "cfr last 30d for payments"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^vitals ask: no database at ${missing.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(set by --db or DATABASE_PATH\\): .*--db data/demo\\.db`));
    expect(existsSync(missing)).toBe(false);
  });

  it("answers from PostgreSQL when DATABASE_URL is set, exactly as from the SQLite file, and never prints its password", async () => {
    const server = await startTestPostgres();
    try {
      const moved = await vitals(["migrate-store", "--from", join(dir, "demo.db"), "--to", server.url]);
      expect(moved.stderr).toBe("");
      expect(moved.code).toBe(0);
      await server.ready();
      const question = ["--config", join(dir, "demo.yml"), "--now", NOW, "--json", "cfr last 30d for payments"];
      const fromSqlite = await vitals(["ask", "--db", join(dir, "demo.db"), ...question]);
      // PGlite serves one connection at a time (test/support/postgres.ts).
      const fromPostgres = await vitals(["ask", ...question], { env: { DATABASE_URL: server.url, DATABASE_POOL_MAX: "1" } });
      expect(fromPostgres.stderr).toBe("");
      expect(fromPostgres.code).toBe(0);
      expect(fromPostgres.stdout).toBe(fromSqlite.stdout);
      expect(JSON.parse(fromPostgres.stdout)).toMatchObject({ metric: "change_failure_rate", scope: { kind: "team", id: "payments" } });
    } finally {
      await server.close();
    }
  });

  it("names DATABASE_URL's server, without its password, when it cannot be reached", async () => {
    const result = await vitals(["ask", "--config", join(dir, "demo.yml"), "cfr last 30d"], { env: { DATABASE_URL: "postgres://vitals:s3cret@127.0.0.1:1/vitals" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^vitals ask: .*ECONNREFUSED.*\n$/);
    expect(result.stdout + result.stderr).not.toContain("s3cret");
  });

  it("answers an empty window with how to connect a source, as Slack does", async () => {
    const result = await vitals(["ask", "--db", join(dir, "demo.db"), "--config", join(dir, "demo.yml"), "--now", "2020-01-01T00:00:00Z", "latency p95 last 30d for checkout"]);
    expect(result.stdout).toMatch(/^No data for API latency P95 for service checkout in last 30 days — here is how to connect a source:\nlatency comes from Prometheus/);
  });
});
