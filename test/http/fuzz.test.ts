import { createHmac, randomBytes } from "node:crypto";
import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNING_SECRET, startTestApp, type TestApp } from "../e2e/harness.js";
import { slackSignature } from "../fakes/slack/signed.js";

// Whatever a scanner, a load-balancer probe or a broken client sends, the app answers (< 500) and
// stays up: unknown paths and methods, random bytes, bad or deeply nested JSON, wrong content
// types, bodies shorter than their Content-Length, 8 KB paths, signed requests with broken bodies.

const GITHUB_SECRET = "fuzz-github-webhook-secret";
const PD_SECRET = "fuzz-pagerduty-webhook-secret";
const INGEST_TOKEN = "fuzz-ingest-token-0123456789abcdef";

let t: TestApp;
const errors: unknown[] = [];
const onError = (error: unknown) => errors.push(error);

beforeAll(async () => {
  process.on("uncaughtException", onError);
  process.on("unhandledRejection", onError);
  t = await startTestApp({
    days: 14,
    productionRoutes: true,
    requestTimeoutMs: 400,
    env: { GITHUB_WEBHOOK_SECRET: GITHUB_SECRET, PAGERDUTY_WEBHOOK_SECRET: PD_SECRET, VITALS_INGEST_TOKEN: INGEST_TOKEN },
  });
});

afterAll(async () => {
  await t.close();
  process.off("uncaughtException", onError);
  process.off("unhandledRejection", onError);
});

const PATHS = ["/", "/nope", "/healthz", "/slack/events", "/webhooks/github", "/webhooks/pagerduty", "/api/v1/records", "/api/v1/coverage", "/%zz", "//x", "/..%2f..%2fetc/passwd", "/healthz/", "/HEALTHZ"];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", "application/xml", "", "application/json; charset=utf-16"];

function deepJson(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

const BODIES: (() => Buffer | string)[] = [
  () => randomBytes(64 + Math.floor(Math.random() * 2000)),
  () => "{",
  () => '{"kind": "deployment", "id": ',
  () => deepJson(100_000),
  () => `{"a":${deepJson(5000)}}`,
  () => "null",
  () => "[]",
  () => '"string"',
  () => '{"payload": "{not json"}',
  () => "payload=%7Bnot%20json",
  () => "payload=" + encodeURIComponent(deepJson(5000)),
  () => "command=%2Fkpi&text=",
  () => '{"type":"event_callback"}',
  () => '{"records":[{"kind":"nope"}]}',
  () => "\u0000\u0001\u0002",
  () => "a=".repeat(10_000),
];

interface Answer {
  readonly what: string;
  readonly status: number;
}

async function send(method: string, path: string, body: Buffer | string | undefined, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${t.baseUrl}${path}`, { method, headers, signal: AbortSignal.timeout(5000), ...(body !== undefined && method !== "GET" && method !== "HEAD" ? { body: typeof body === "string" ? body : new Uint8Array(body) } : {}) });
  await response.arrayBuffer();
  return { what: `${method} ${path} ${headers["content-type"] ?? ""}`, status: response.status };
}

/** The headers a signed request carries on each route, so that the body parsing behind the signature check is reached too. */
function signed(path: string, body: Buffer | string): Record<string, string> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  if (path === "/slack/events") {
    const ts = Math.floor(Date.now() / 1000);
    return { "x-slack-request-timestamp": String(ts), "x-slack-signature": slackSignature(SIGNING_SECRET, ts, bytes.toString("utf8")) };
  }
  if (path === "/webhooks/github") {
    return { "x-github-event": "deployment_status", "x-github-delivery": randomBytes(8).toString("hex"), "x-hub-signature-256": `sha256=${createHmac("sha256", GITHUB_SECRET).update(bytes).digest("hex")}` };
  }
  if (path === "/webhooks/pagerduty") return { "x-pagerduty-signature": `v1=${createHmac("sha256", PD_SECRET).update(bytes).digest("hex")}` };
  return { authorization: `Bearer ${INGEST_TOKEN}` };
}

/** A raw HTTP/1.1 exchange, for what fetch refuses to send; resolves with the status line's code, or 0 when the server closed without one. */
function raw(request: string | Buffer, waitMs = 3000): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(new URL(t.baseUrl).port ? Number(new URL(t.baseUrl).port) : 80, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0));
    });
    socket.on("error", () => undefined);
    socket.write(request);
  });
}

describe("the HTTP surface under malformed input", () => {
  it("answers unknown paths with 404 JSON and wrong methods with 405 JSON", async () => {
    for (const path of ["/", "/nope"]) {
      const response = await fetch(`${t.baseUrl}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/application\/json/);
      expect(await response.json()).toMatchObject({ error: "not found" });
    }
    const wrong = await fetch(`${t.baseUrl}/slack/events`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    const health = await fetch(`${t.baseUrl}/healthz`, { method: "DELETE" });
    expect(health.status).toBe(405);
    expect(await health.json()).toMatchObject({ error: "method not allowed", allowed: ["GET"] });
  });

  it("answers several hundred malformed requests with < 500 and keeps /healthz at 200", async () => {
    const pending: (() => Promise<Answer>)[] = [];
    // A fixed seed: a failure is reproducible from the test alone.
    const cases = fc.sample(
      fc.record({
        method: fc.constantFrom(...METHODS),
        path: fc.constantFrom(...PATHS),
        contentType: fc.constantFrom(...CONTENT_TYPES),
        body: fc.nat(BODIES.length - 1),
        sign: fc.boolean(),
      }),
      { numRuns: 360, seed: 14 },
    );
    for (const c of cases) {
      const body = BODIES[c.body]!();
      const headers: Record<string, string> = { ...(c.contentType ? { "content-type": c.contentType } : {}), ...(c.sign ? signed(c.path, body) : {}) };
      pending.push(() => send(c.method, c.path, body, headers));
    }
    // Every route and body at least once with a valid signature, so the parsing behind it is reached.
    for (const path of ["/slack/events", "/webhooks/github", "/webhooks/pagerduty", "/api/v1/records", "/api/v1/coverage"]) {
      for (const [i, make] of BODIES.entries()) {
        const body = make();
        for (const contentType of ["application/json", "application/x-www-form-urlencoded"]) {
          const headers = { "content-type": contentType, ...signed(path, body) };
          pending.push(async () => ({ ...(await send("POST", path, body, headers)), what: `signed POST ${path} body #${i} ${contentType}` }));
        }
      }
    }
    // Twenty at a time: Bolt holds a request nothing acknowledges for 3 s before its 404.
    const answers: Answer[] = [];
    for (let i = 0; i < pending.length; i += 20) answers.push(...(await Promise.all(pending.slice(i, i + 20).map((run) => run()))));
    expect(answers.length).toBeGreaterThan(500);
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(errors).toEqual([]);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });

  it("answers a body shorter than its Content-Length with 408, an 8 KB path with 404, a garbage request line with 400", async () => {
    const short = await raw(`POST /api/v1/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${INGEST_TOKEN}\r\nContent-Length: 1000\r\n\r\n{"records":`);
    expect(short).toBe(408);
    const shortSlack = await raw(`POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\ncommand=`);
    expect(shortSlack).toBe(408);
    expect(await raw(`GET /${"a".repeat(8 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toBe(404);
    expect(await raw(Buffer.concat([randomBytes(200), Buffer.from("\r\n\r\n")]))).toBe(400);
    expect(await raw(`GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toBeLessThan(500);
    expect(errors).toEqual([]);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  });
});
