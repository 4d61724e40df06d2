import type { Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../src/app-deps.js";
import { coverageIngestRoute, ingestRoute } from "../../src/http/ingest.js";
import { createHttpServer, listen } from "../../src/http/server.js";
import { samples, sourcesDeps } from "../sources/helpers.js";
import { sqliteOf } from "../support/sqlite-of.js";

const TOKEN = "s3cret-ingest-token-0123456789";

let deps: AppDeps;
let server: Server;
let base: string;

beforeEach(async () => {
  deps = sourcesDeps({ VITALS_INGEST_TOKEN: TOKEN, INGEST_MAX_BODY_BYTES: "4096" });
  server = createHttpServer({ routes: [ingestRoute(deps)], logger: deps.logger });
  base = `http://127.0.0.1:${await listen(server, 0)}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await deps.store.close();
});

async function post(body: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  const response = await fetch(`${base}/api/v1/records`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

const deployment = (id: string, extra: Record<string, unknown> = {}) => ({
  kind: "deployment",
  id,
  service: "checkout",
  status: "success",
  finished_at: "2026-05-01T10:00:00Z",
  ...extra,
});
const users = { kind: "metric", name: "active_users", at: "2026-05-01T00:00:00Z", until: "2026-05-02T00:00:00Z", value: 1520 };
const coverage = { kind: "metric", name: "coverage_pct", service: "web", at: "2026-05-01T12:00:00Z", value: 81.5 };

function counts(): { deployments: number; samples: number } {
  const one = (sql: string) => (sqliteOf(deps.store).db.prepare(sql).get() as { n: number }).n;
  return { deployments: one("SELECT count(*) AS n FROM deployments"), samples: one("SELECT count(*) AS n FROM samples") };
}

describe("POST /api/v1/records", () => {
  const batch = JSON.stringify([deployment("jenkins-101"), deployment("jenkins-102", { status: "failure" }), users, coverage]);

  it("refuses a request without a token with 401 and writes nothing", async () => {
    const response = await post(batch, {});
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    expect(response.body.error).toMatch(/missing bearer token/);
    expect(counts()).toEqual({ deployments: 0, samples: 0 });
  });

  it("refuses a wrong token with 401, never echoing the token", async () => {
    const response = await post(batch, { authorization: `Bearer ${TOKEN.slice(0, -1)}x` });
    expect(response.status).toBe(401);
    expect(JSON.stringify(response.body)).not.toContain(TOKEN.slice(0, 10));
    expect(counts()).toEqual({ deployments: 0, samples: 0 });
  });

  it("is closed when no VITALS_INGEST_TOKEN is set", async () => {
    const closed = sourcesDeps({});
    const other = createHttpServer({ routes: [ingestRoute(closed)], logger: closed.logger });
    const port = await listen(other, 0);
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/records`, { method: "POST", body: batch, headers: { authorization: "Bearer anything-at-all-here" } });
    await new Promise((resolve) => other.close(resolve));
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toMatch(/set VITALS_INGEST_TOKEN/);
  });

  it("refuses a body over INGEST_MAX_BODY_BYTES with 413", async () => {
    const big = JSON.stringify(Array.from({ length: 60 }, (_, i) => deployment(`big-${i}`)));
    expect(big.length).toBeGreaterThan(4096);
    const response = await post(big);
    expect(response.status).toBe(413);
    expect(counts()).toEqual({ deployments: 0, samples: 0 });
  });

  it("writes a good JSON array and answers with counts", async () => {
    const response = await post(batch);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      received: 4,
      deployments: { inserted: 2, updated: 0, unchanged: 0 },
      incidents: { inserted: 0, updated: 0, unchanged: 0 },
      metrics: { inserted: 2, updated: 0, unchanged: 0 },
      annotations: { inserted: 0, updated: 0, unchanged: 0 },
    });
    expect(samples(deps).map((s) => [s.name, s.service_id, s.value, s.source])).toEqual([
      ["active_users", "", 1520, "api"],
      ["coverage_pct", "web", 81.5, "api"],
    ]);
  });

  it("reports a repeated request as all unchanged", async () => {
    await post(batch);
    const again = await post(batch);
    expect(again.status).toBe(200);
    expect(again.body.deployments).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
    expect(again.body.metrics).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
    expect(counts()).toEqual({ deployments: 2, samples: 2 });
  });

  it("accepts NDJSON", async () => {
    const ndjson = [deployment("argo-1"), users].map((r) => JSON.stringify(r)).join("\n") + "\n";
    const response = await post(ndjson, { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" });
    expect(response.status).toBe(200);
    expect(response.body.received).toBe(2);
  });

  it("accepts one pretty-printed record", async () => {
    const response = await post(JSON.stringify(deployment("gha-77"), null, 2));
    expect(response.status).toBe(200);
    expect(response.body.deployments).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
  });

  it("rejects the whole batch with 400, naming every bad record's index and field", async () => {
    const bad = JSON.stringify([
      deployment("ok-1"),
      deployment("bad-1", { status: "done" }),
      users,
      { ...coverage, value: 140 },
    ]);
    const response = await post(bad);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe("2 bad records; nothing was written");
    expect(response.body.errors).toEqual([
      { index: 1, field: "status", message: 'expected "success" or "failure"' },
      { index: 3, field: "value", message: "expected a percentage from 0 to 100" },
    ]);
    expect(response.body.problems).toEqual([
      'records[1]: status: expected "success" or "failure"',
      "records[3]: value: expected a percentage from 0 to 100",
    ]);
    expect(counts()).toEqual({ deployments: 0, samples: 0 });
  });

  it("names the line of a bad NDJSON record", async () => {
    const ndjson = `${JSON.stringify(users)}\n{"kind":"metric","name":"active_users","at":"yesterday","value":3}\n`;
    const response = await post(ndjson);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ line: 2, field: "at", message: expect.stringContaining("ISO 8601") }]);
  });

  it("rejects a body that is not JSON and an empty body", async () => {
    expect((await post("[{]")).status).toBe(400);
    const empty = await post("");
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatch(/no records/);
  });
});

describe("POST /api/v1/coverage", () => {
  const lcov = "TN:\nSF:src/a.ts\nDA:1,1\nDA:2,1\nDA:3,0\nDA:4,1\nend_of_record\n";
  const send = async (query: string, body: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => {
    const server2 = createHttpServer({ routes: [coverageIngestRoute(deps)], logger: deps.logger });
    const port = await listen(server2, 0);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/coverage${query}`, { method: "POST", body, headers });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    } finally {
      await new Promise((resolve) => server2.close(resolve));
    }
  };

  it("stores a CI step's LCOV report as a coverage_pct sample, once", async () => {
    const first = await send("?service=web&at=2026-05-04T10:00:00Z", lcov);
    expect(first).toEqual({
      status: 200,
      body: { service: "web", at: "2026-05-04T10:00:00.000Z", format: "lcov", lines_covered: 3, lines_valid: 4, coverage_pct: 75, metrics: { inserted: 1, updated: 0, unchanged: 0 } },
    });
    const again = await send("?service=web&at=2026-05-04T10:00:00Z", lcov);
    expect(again.body.metrics).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(samples(deps, "coverage_pct").map((s) => [s.service_id, s.value, s.source])).toEqual([["web", 75, "coverage"]]);
  });

  it("needs the token, a known service and a parsable report", async () => {
    expect((await send("?service=web", lcov, {})).status).toBe(401);
    const unknown = await send("?service=shop-api", lcov);
    expect(unknown.status).toBe(400);
    expect(unknown.body.problems).toEqual(['service: unknown service "shop-api"; the config file has checkout, search, web']);
    const broken = await send("?service=web", "SF:a\nDA:x\nend_of_record\n");
    expect(broken.body.problems).toEqual(['report:2: DA: expected "line,hits" with whole numbers, got "x"']);
    expect(samples(deps)).toEqual([]);
  });
});
