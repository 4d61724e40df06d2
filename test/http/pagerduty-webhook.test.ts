import { createHmac } from "node:crypto";
import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../src/app-deps.js";
import { pagerdutyWebhookRoute } from "../../src/http/pagerduty-webhook.js";
import { createHttpServer, listen } from "../../src/http/server.js";
import { createPagerdutySource } from "../../src/sources/pagerduty/index.js";
import { assignee, logEntry, pdIncident } from "../fakes/pagerduty/factories.js";
import { useFakePagerduty } from "../fakes/pagerduty/fixture.js";
import { HOUR, NOW, incidentRow, iso, testDeps, testOverrides } from "../sources/pagerduty/helpers.js";

const pd = useFakePagerduty("u+test-read-only-key");

const SECRET = "whsec-current";
const OLD_SECRET = "whsec-previous";

let servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  servers = [];
});

async function serve(deps: AppDeps, withApi = false, apiBudgetMs?: number): Promise<string> {
  const route = pagerdutyWebhookRoute(deps, withApi ? { ...testOverrides(pd.certificate).overrides, ...(apiBudgetMs ? { apiBudgetMs } : {}) } : {});
  const server = createHttpServer({ routes: [route], logger: deps.logger });
  servers.push(server);
  const port = await listen(server, 0);
  return `http://127.0.0.1:${port}/webhooks/pagerduty`;
}

const sign = (body: string, secret: string) => `v1=${createHmac("sha256", secret).update(body).digest("hex")}`;

function event(id: string, type: string, occurredMs: number, data: Record<string, unknown> = {}) {
  return {
    event: {
      id,
      event_type: type,
      resource_type: "incident",
      occurred_at: iso(occurredMs),
      agent: { id: "PUSER01", type: "user_reference", summary: "Ada Lovelace" },
      client: null,
      data: {
        id: "PWH1",
        type: "incident",
        self: "https://api.pagerduty.com/incidents/PWH1",
        html_url: "https://acme.pagerduty.com/incidents/PWH1",
        number: 7,
        status: type === "incident.resolved" ? "resolved" : type === "incident.acknowledged" ? "acknowledged" : "triggered",
        incident_key: "d387d7bd2e0a4294a5307339dfe1669a",
        created_at: iso(NOW),
        title: "Checkout 5xx after deploy: d-1042",
        service: { id: "PSVC001", type: "service_reference", summary: "Checkout API" },
        assignees: [{ id: "PUSER01", type: "user_reference", summary: "Ada Lovelace" }],
        escalation_policy: { id: "PEP001", type: "escalation_policy_reference", summary: "Checkout on-call" },
        teams: [],
        priority: { id: "PPRI1", type: "priority_reference", summary: "P1" },
        urgency: "high",
        conference_bridge: null,
        resolve_reason: null,
        ...data,
      },
    },
  };
}

async function post(url: string, payload: unknown, signature: string | ((body: string) => string) | undefined) {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "PagerDuty-Webhook/V3.0" };
  const sig = typeof signature === "function" ? signature(body) : signature;
  if (sig !== undefined) headers["x-pagerduty-signature"] = sig;
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("POST /webhooks/pagerduty", () => {
  it("records a signed incident event as an incident", async () => {
    const deps = testDeps({ host: pd.fake.host, env: { PAGERDUTY_TOKEN: "" } });
    const url = await serve(deps);

    const triggered = await post(url, event("E1", "incident.triggered", NOW), (b) => sign(b, SECRET));
    const acked = await post(url, event("E2", "incident.acknowledged", NOW + 5 * 60_000), (b) => sign(b, SECRET));
    const resolved = await post(url, event("E3", "incident.resolved", NOW + HOUR), (b) => sign(b, SECRET));

    expect([triggered.status, acked.status, resolved.status]).toEqual([200, 200, 200]);
    expect(incidentRow(deps, "PWH1")).toMatchObject({
      service_id: "checkout",
      title: "Checkout 5xx after deploy: d-1042",
      status: "resolved",
      created_at: NOW,
      acknowledged_at: NOW + 5 * 60_000,
      resolved_at: NOW + HOUR,
      urgency: "high",
      priority: "P1",
      owner_name: "Ada Lovelace",
      escalation_policy: "Checkout on-call",
      deployment_ref: "d-1042",
    });
  });

  it("refuses a wrong or missing signature with 401 and writes nothing", async () => {
    const deps = testDeps({ host: pd.fake.host, env: { PAGERDUTY_TOKEN: "" } });
    const url = await serve(deps);

    expect((await post(url, event("E1", "incident.triggered", NOW), (b) => sign(b, "not-the-secret"))).status).toBe(401);
    expect((await post(url, event("E1", "incident.triggered", NOW), undefined)).status).toBe(401);
    // Signed body, tampered afterwards.
    const original = JSON.stringify(event("E1", "incident.triggered", NOW));
    expect((await post(url, original.replace("Checkout 5xx", "Checkout 4xx"), sign(original, SECRET))).status).toBe(401);
    expect(incidentRow(deps, "PWH1")).toBeUndefined();

    // Nothing was remembered either: the genuine delivery of E1 is still accepted.
    expect((await post(url, event("E1", "incident.triggered", NOW), (b) => sign(b, SECRET))).body).toEqual({ ok: true });
    expect(incidentRow(deps, "PWH1")).toBeDefined();
  });

  it("accepts any of several v1 signatures and any of several configured secrets (rotation)", async () => {
    const deps = testDeps({ host: pd.fake.host, env: { PAGERDUTY_TOKEN: "" } });
    const url = await serve(deps);
    // PagerDuty rotating: one signature per secret, ours is the second.
    const both = (b: string) => `${sign(b, "someone-elses-secret")}, ${sign(b, SECRET)}`;
    expect((await post(url, event("E1", "incident.triggered", NOW), both)).status).toBe(200);

    // We are rotating: both secrets configured, PagerDuty still signs with the old one.
    const rotating = testDeps({ host: pd.fake.host, env: { PAGERDUTY_TOKEN: "", PAGERDUTY_WEBHOOK_SECRET: `${SECRET}, ${OLD_SECRET}` } });
    const url2 = await serve(rotating);
    expect((await post(url2, event("E1", "incident.triggered", NOW), (b) => sign(b, OLD_SECRET))).status).toBe(200);
    expect((await post(url2, event("E2", "incident.triggered", NOW), (b) => sign(b, "retired-secret"))).status).toBe(401);
  });

  it("handles a redelivered event once", async () => {
    const deps = testDeps({ host: pd.fake.host, env: { PAGERDUTY_TOKEN: "" } });
    const url = await serve(deps);
    const resolve = event("E3", "incident.resolved", NOW + HOUR);

    await post(url, event("E1", "incident.triggered", NOW), (b) => sign(b, SECRET));
    expect((await post(url, resolve, (b) => sign(b, SECRET))).body).toEqual({ ok: true });
    await post(url, event("E4", "incident.reopened", NOW + 2 * HOUR), (b) => sign(b, SECRET));
    // PagerDuty retries E3 (e.g. our first answer was lost): it must not resolve the reopened incident.
    expect((await post(url, resolve, (b) => sign(b, SECRET))).body).toEqual({ ok: true, duplicate: true });

    expect(incidentRow(deps, "PWH1")).toMatchObject({ status: "triggered", resolved_at: null });
  });

  it("does not let a late, older event undo a resolution", async () => {
    const deps = testDeps({ host: pd.fake.host, env: { PAGERDUTY_TOKEN: "" } });
    const url = await serve(deps);
    await post(url, event("E1", "incident.triggered", NOW), (b) => sign(b, SECRET));
    await post(url, event("E3", "incident.resolved", NOW + HOUR), (b) => sign(b, SECRET));
    // The acknowledgement (10 min in) is delivered after the resolution.
    expect((await post(url, event("E2", "incident.acknowledged", NOW + 10 * 60_000), (b) => sign(b, SECRET))).status).toBe(200);
    expect(incidentRow(deps, "PWH1")).toMatchObject({ status: "resolved", acknowledged_at: NOW + 10 * 60_000, resolved_at: NOW + HOUR });
  });

  it("takes an explicit deployment reference from a note (incident.annotated)", async () => {
    const deps = testDeps({ host: pd.fake.host, env: { PAGERDUTY_TOKEN: "" } });
    const url = await serve(deps);
    await post(url, event("E1", "incident.triggered", NOW, { title: "Checkout 5xx" }), (b) => sign(b, SECRET));
    const note = {
      event: {
        id: "E7", event_type: "incident.annotated", resource_type: "incident", occurred_at: iso(NOW + HOUR),
        agent: { id: "PUSER01", type: "user_reference", summary: "Ada Lovelace" }, client: null,
        data: {
          incident: { id: "PWH1", type: "incident_reference", summary: "Checkout 5xx" },
          id: "PNOTE1", content: "Root cause: 9f1c2e7 (connection pool size)", trimmed: false, type: "incident_note",
        },
      },
    };
    expect((await post(url, note, (b) => sign(b, SECRET))).body).toEqual({ ok: true });
    expect(incidentRow(deps, "PWH1")).toMatchObject({ title: "Checkout 5xx", deployment_ref: "9f1c2e7", created_at: NOW });
  });

  it("writes the same record as the poller when the REST API is configured", async () => {
    const created = NOW - 2 * HOUR;
    pd.fake.incidents = [pdIncident({ id: "PWH1", created_at: iso(created), status: "resolved", title: "Checkout 5xx", assignments: assignee("Ada Lovelace", "ada@example.com") })];
    pd.fake.logEntries = new Map([["PWH1", [
      logEntry("trigger_log_entry", iso(created)),
      logEntry("acknowledge_log_entry", iso(created + 60_000)),
      logEntry("annotate_log_entry", iso(created + 90_000), { channel: { type: "note", summary: "root cause: 9f1c2e7" } }),
      logEntry("resolve_log_entry", iso(created + HOUR)),
    ]]]);
    const viaWebhook = testDeps({ host: pd.fake.host });
    const url = await serve(viaWebhook, true);
    expect((await post(url, event("E9", "incident.resolved", created + HOUR, { id: "PWH1" }), (b) => sign(b, SECRET))).status).toBe(200);

    const viaPoller = testDeps({ host: pd.fake.host });
    await createPagerdutySource(testOverrides(pd.certificate).overrides).sync(viaPoller);

    const { id: _a, ...fromWebhook } = incidentRow(viaWebhook, "PWH1")!;
    const { id: _b, ...fromPoller } = incidentRow(viaPoller, "PWH1")!;
    expect(fromWebhook).toEqual(fromPoller);
    expect(fromWebhook).toMatchObject({ acknowledged_at: created + 60_000, resolved_at: created + HOUR, owner_email: "ada@example.com", deployment_ref: "9f1c2e7" });
  });

  it("answers from the payload when the REST API does not answer within its budget", async () => {
    pd.fake.incidents = [pdIncident({ id: "PWH1", created_at: iso(NOW), status: "resolved" })];
    pd.fake.hang.add("/incidents/PWH1");
    try {
      const deps = testDeps({ host: pd.fake.host });
      const url = await serve(deps, true, 200);
      const started = Date.now();
      const answer = await post(url, event("E1", "incident.resolved", NOW + HOUR), (b) => sign(b, SECRET));
      expect(answer).toEqual({ status: 200, body: { ok: true } });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(incidentRow(deps, "PWH1")).toMatchObject({ status: "resolved", resolved_at: NOW + HOUR, title: "Checkout 5xx after deploy: d-1042" });
    } finally {
      pd.fake.hang.clear();
    }
  });

  it("answers 400 for a signed body that is not a v3 event, and ignores events it does not use", async () => {
    const deps = testDeps({ host: pd.fake.host, env: { PAGERDUTY_TOKEN: "" } });
    const url = await serve(deps);
    expect(await post(url, "{not json", (b) => sign(b, SECRET))).toMatchObject({ status: 400, body: { error: "body is not JSON" } });
    expect(await post(url, { event: { id: "E1" } }, (b) => sign(b, SECRET))).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^event\.event_type/) } });
    const badTime = event("E6", "incident.triggered", NOW, { created_at: "yesterday" });
    expect(await post(url, badTime, (b) => sign(b, SECRET))).toMatchObject({ status: 400, body: { error: "event.data.created_at: expected an ISO 8601 timestamp" } });
    expect(incidentRow(deps, "PWH1")).toBeUndefined();
    const serviceEvent = { event: { id: "E5", event_type: "service.updated", resource_type: "service", occurred_at: iso(NOW), data: { id: "PSVC001" } } };
    expect(await post(url, serviceEvent, (b) => sign(b, SECRET))).toMatchObject({ status: 200, body: { ignored: "service.updated" } });
  });

  it("refuses every delivery when no secret is configured", async () => {
    const deps = testDeps({ host: pd.fake.host, env: { PAGERDUTY_WEBHOOK_SECRET: "" } });
    const url = await serve(deps);
    expect((await post(url, event("E1", "incident.triggered", NOW), (b) => sign(b, ""))).status).toBe(503);
    expect(incidentRow(deps, "PWH1")).toBeUndefined();
  });
});
