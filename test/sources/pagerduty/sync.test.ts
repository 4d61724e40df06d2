import { beforeEach, describe, expect, it } from "vitest";
import { createPagerdutySource } from "../../../src/sources/pagerduty/index.js";
import { useFakePagerduty } from "../../fakes/pagerduty/fixture.js";
import { assignee, logEntry, pdIncident } from "../../fakes/pagerduty/factories.js";
import { DAY, HOUR, NOW, incidentRow, iso, testDeps, testOverrides } from "./helpers.js";

const pd = useFakePagerduty("u+test-read-only-key");

beforeEach(() => {
  pd.fake.incidents = [];
  pd.fake.logEntries = new Map();
  pd.fake.requests.length = 0;
  pd.fake.rateLimit(0);
});

function resolvedIncident(id: string, createdMs: number, ackAfterMs: number, resolveAfterMs: number, extra: Parameters<typeof pdIncident>[0] extends infer T ? Partial<T> : never = {}) {
  pd.fake.incidents.push(pdIncident({ id, created_at: iso(createdMs), status: "resolved", ...extra }));
  pd.fake.logEntries.set(id, [
    logEntry("trigger_log_entry", iso(createdMs)),
    logEntry("acknowledge_log_entry", iso(createdMs + ackAfterMs)),
    logEntry("resolve_log_entry", iso(createdMs + resolveAfterMs)),
  ]);
}

describe("PagerDuty sync", () => {
  it("backfills the configured history in windows PagerDuty accepts and normalises each incident", async () => {
    const deps = testDeps({ host: pd.fake.host, config: "services:\n  - id: checkout\n    pagerduty: { service_id: PSVC001 }\npagerduty: { backfill_days: 400 }\n" });
    resolvedIncident("PA", NOW - 390 * DAY, 5 * 60_000, 2 * HOUR, {
      assignments: assignee("Ada Lovelace", "ada@example.com"),
      priority: { id: "PP2", summary: "P2" },
      urgency: "low",
    });
    resolvedIncident("PB", NOW - 200 * DAY, 60_000, HOUR);
    resolvedIncident("PC", NOW - 2 * DAY, 60_000, 3 * HOUR);
    pd.fake.incidents.push(pdIncident({ id: "POLD", created_at: iso(NOW - 401 * DAY) }));
    const { overrides } = testOverrides(pd.certificate);

    const report = await createPagerdutySource(overrides).sync(deps);

    expect(report).toMatchObject({ source: "pagerduty", fetched: 3, inserted: 3, updated: 0, unchanged: 0 });
    const lists = pd.fake.requests.filter((r) => r.path === "/incidents");
    expect(lists.length).toBe(3); // 400 days = three windows under six months
    for (const r of lists) {
      expect(r.status).toBe(200);
      expect(Date.parse(r.query.get("until")!) - Date.parse(r.query.get("since")!)).toBeLessThanOrEqual(175 * DAY);
      expect(r.query.getAll("service_ids[]")).toEqual(["PSVC001"]);
    }
    expect(incidentRow(deps, "POLD")).toBeUndefined();
    expect(incidentRow(deps, "PA")).toMatchObject({
      service_id: "checkout",
      external_service: null,
      title: "Checkout errors",
      urgency: "low",
      priority: "P2",
      status: "resolved",
      created_at: NOW - 390 * DAY,
      acknowledged_at: NOW - 390 * DAY + 5 * 60_000,
      resolved_at: NOW - 390 * DAY + 2 * HOUR,
      owner_name: "Ada Lovelace",
      owner_email: "ada@example.com",
      escalation_policy: "Checkout on-call",
      url: "https://acme.pagerduty.com/incidents/PA",
    });
  });

  it("writes nothing when re-run with nothing new, then picks up new incidents and changes to old ones", async () => {
    const deps = testDeps({ host: pd.fake.host });
    let now = NOW;
    const clock = { ...deps, now: () => now };
    resolvedIncident("P1", NOW - 10 * DAY, 60_000, HOUR);
    pd.fake.incidents.push(pdIncident({ id: "P2", created_at: iso(NOW - 3 * DAY), status: "triggered" }));
    pd.fake.logEntries.set("P2", [logEntry("trigger_log_entry", iso(NOW - 3 * DAY))]);
    const source = createPagerdutySource(testOverrides(pd.certificate).overrides);

    expect(await source.sync(clock)).toMatchObject({ inserted: 2, updated: 0 });
    expect(incidentRow(deps, "P2")).toMatchObject({ status: "triggered", resolved_at: null });

    now = NOW + HOUR;
    pd.fake.requests.length = 0;
    const again = await source.sync(clock);
    // Only the open incident is read again, and it has not changed.
    expect(again).toMatchObject({ fetched: 1, inserted: 0, updated: 0, unchanged: 1 });
    // Incremental: only the time since the cursor (less a small overlap) is listed.
    const list = pd.fake.requests.find((r) => r.path === "/incidents")!;
    expect(Date.parse(list.query.get("since")!)).toBe(NOW - 10 * 60_000);

    // P1 (created long before the cursor) gets a note; P2 resolves; P3 is new.
    pd.fake.logEntries.get("P1")!.push(logEntry("annotate_log_entry", iso(NOW + 90 * 60_000), { channel: { type: "note", summary: "root cause: 9f1c2e7" } }));
    pd.fake.incidents.find((i) => i.id === "P2")!.status = "resolved";
    pd.fake.logEntries.get("P2")!.push(logEntry("resolve_log_entry", iso(NOW + 100 * 60_000)));
    resolvedIncident("P3", NOW + 95 * 60_000, 60_000, 10 * 60_000);
    // Activity on another team's service is not fetched at all.
    resolvedIncident("POTHER", NOW - 20 * DAY, 60_000, 20 * DAY + HOUR);
    pd.fake.incidents.find((i) => i.id === "POTHER")!.service = { id: "PNOTOURS", summary: "Payroll" };
    now = NOW + 2 * HOUR;
    pd.fake.requests.length = 0;
    const third = await source.sync(clock);
    expect(pd.fake.requests.some((r) => r.path.includes("POTHER"))).toBe(false);
    expect(incidentRow(deps, "POTHER")).toBeUndefined();
    expect(third).toMatchObject({ inserted: 1, updated: 2 });
    expect(incidentRow(deps, "P1")).toMatchObject({ deployment_ref: "9f1c2e7" });
    expect(incidentRow(deps, "P2")).toMatchObject({ status: "resolved", resolved_at: NOW + 100 * 60_000 });
  });

  it("takes the first acknowledgement and the last resolution of a reopened incident", async () => {
    const deps = testDeps({ host: pd.fake.host });
    const t = NOW - 5 * DAY;
    pd.fake.incidents.push(pdIncident({ id: "PRE", created_at: iso(t), status: "resolved", assignments: [] }));
    pd.fake.logEntries.set("PRE", [
      logEntry("trigger_log_entry", iso(t)),
      logEntry("acknowledge_log_entry", iso(t + 4 * 60_000)),
      logEntry("resolve_log_entry", iso(t + HOUR)),
      logEntry("unacknowledge_log_entry", iso(t + 2 * HOUR)),
      logEntry("acknowledge_log_entry", iso(t + 3 * HOUR)),
      logEntry("resolve_log_entry", iso(t + 5 * HOUR)),
    ]);
    // Reopened and still open: no resolution at all.
    pd.fake.incidents.push(pdIncident({ id: "PRO", created_at: iso(t), status: "acknowledged" }));
    pd.fake.logEntries.set("PRO", [
      logEntry("trigger_log_entry", iso(t)),
      logEntry("resolve_log_entry", iso(t + HOUR)),
      logEntry("acknowledge_log_entry", iso(t + 2 * HOUR)),
    ]);

    await createPagerdutySource(testOverrides(pd.certificate).overrides).sync(deps);

    expect(incidentRow(deps, "PRE")).toMatchObject({ acknowledged_at: t + 4 * 60_000, resolved_at: t + 5 * HOUR, owner_name: "Ada Lovelace" });
    expect(incidentRow(deps, "PRO")).toMatchObject({ status: "acknowledged", acknowledged_at: t + 2 * HOUR, resolved_at: null });
  });

  it("keeps incidents of unmapped services as externalService when syncing all services", async () => {
    const deps = testDeps({ host: pd.fake.host, config: "services:\n  - id: checkout\n    pagerduty: { service_id: PSVC001 }\npagerduty: { all_services: true }\n" });
    resolvedIncident("PX", NOW - DAY, 60_000, HOUR, { serviceId: "PZZZ999" } as never);
    pd.fake.incidents[0]!.service = { id: "PZZZ999", summary: "Legacy billing" };

    const report = await createPagerdutySource(testOverrides(pd.certificate).overrides).sync(deps);

    expect(pd.fake.requests.find((r) => r.path === "/incidents")!.query.getAll("service_ids[]")).toEqual([]);
    expect(incidentRow(deps, "PX")).toMatchObject({ service_id: null, external_service: "PZZZ999 (Legacy billing)" });
    expect(report.notes.join("\n")).toContain("1 incident on unmapped PagerDuty service PZZZ999 (Legacy billing)");
  });

  it("backs off for as long as ratelimit-reset says on a 429 and resumes", async () => {
    const deps = testDeps({ host: pd.fake.host });
    resolvedIncident("PR", NOW - DAY, 60_000, HOUR);
    const { overrides, sleeps } = testOverrides(pd.certificate);
    // pdjs retries a 429 three times on its own (4 requests), then the adapter waits and tries again.
    pd.fake.rateLimit(5, 7);

    const report = await createPagerdutySource(overrides).sync(deps);

    expect(sleeps).toEqual([7000]);
    expect(pd.fake.requests.filter((r) => r.status === 429)).toHaveLength(5);
    expect(report.fetched).toBe(1);
    expect(report.notes.join("\n")).toContain("rate limited by PagerDuty: waited 7 s");
    expect(incidentRow(deps, "PR")).toMatchObject({ resolved_at: NOW - DAY + HOUR });
  });

  it("waits for the reset before the next call once PagerDuty says the budget is spent", async () => {
    const deps = testDeps({ host: pd.fake.host });
    resolvedIncident("PS", NOW - DAY, 60_000, HOUR);
    const { overrides, sleeps } = testOverrides(pd.certificate);
    pd.fake.spendBudget(4);

    await createPagerdutySource(overrides).sync(deps);

    expect(sleeps).toEqual([4000]);
    expect(pd.fake.requests.every((r) => r.status === 200)).toBe(true);
  });

  it("is configured by a token plus a service mapping or all_services", () => {
    const source = createPagerdutySource();
    const withMapping = testDeps({ host: pd.fake.host });
    expect(source.configured(withMapping)).toBe(true);
    expect(source.configured({ ...withMapping, env: { ...withMapping.env, PAGERDUTY_TOKEN: undefined } })).toBe(false);
    expect(source.configured(testDeps({ host: pd.fake.host, config: "services: [{ id: checkout }]" }))).toBe(false);
    expect(source.configured(testDeps({ host: pd.fake.host, config: "pagerduty: { all_services: true }" }))).toBe(true);
  });

  it("re-reads the requested history with backfillDays even after a first sync", async () => {
    const deps = testDeps({ host: pd.fake.host });
    const source = createPagerdutySource(testOverrides(pd.certificate).overrides);
    await source.sync(deps);
    resolvedIncident("POLDER", NOW - 120 * DAY, 60_000, HOUR);
    pd.fake.requests.length = 0;
    expect(await source.sync(deps, { backfillDays: 150 })).toMatchObject({ inserted: 1 });
    expect(Date.parse(pd.fake.requests.find((r) => r.path === "/incidents")!.query.get("since")!)).toBe(NOW - 150 * DAY);
  });

  it("fails with a clear message on a bad token and keeps the cursor", async () => {
    const deps = testDeps({ host: pd.fake.host, env: { PAGERDUTY_TOKEN: "wrong-token" } });
    await expect(createPagerdutySource(testOverrides(pd.certificate).overrides).sync(deps)).rejects.toThrow(/401 bad token: the server refused the credentials \(check PAGERDUTY_TOKEN\)/);
    const cursor = await deps.store.syncState.cursor("pagerduty", "incidents");
    expect(cursor).toMatchObject({ cursor: null, last_error: expect.stringContaining("401 bad token") });
    expect(JSON.stringify(cursor)).not.toContain("wrong-token");
  });

  it("reaches the EU region host (api.eu.pagerduty.com) the same way", async () => {
    const port = pd.fake.host.split(":")[1];
    const deps = testDeps({ host: pd.fake.host, env: { PAGERDUTY_API_HOST: `api.eu.pagerduty.com:${port}` } });
    resolvedIncident("PEU", NOW - DAY, 60_000, HOUR);
    // Resolve the EU name to the fake (the certificate names api.eu.pagerduty.com): no internet needed.
    const lookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
      options.all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4)) as never;

    await createPagerdutySource(testOverrides(pd.certificate, { lookup }).overrides).sync(deps);

    expect(pd.fake.requests.length).toBeGreaterThan(0);
    expect(new Set(pd.fake.requests.map((r) => r.host))).toEqual(new Set([`api.eu.pagerduty.com:${port}`]));
    expect(incidentRow(deps, "PEU")).toBeDefined();
  });

  it("tolerates a field the metrics do not use in an unexpected shape, and skips (naming it) an incident it cannot count", async () => {
    const deps = testDeps({ host: pd.fake.host });
    // Real PagerDuty sends first_trigger_log_entry as a reference without `channel` unless asked to include it.
    resolvedIncident("PREF", NOW - 2 * DAY, 60_000, HOUR, { first_trigger_log_entry: { id: "R1", type: "trigger_log_entry_reference" }, priority: "P1" as never, urgency: "urgent" as never });
    resolvedIncident("PGOOD", NOW - DAY, 60_000, HOUR);
    pd.fake.incidents.push(pdIncident({ id: "PBAD", created_at: iso(NOW - DAY), resolved_at: 1780000000 }));

    const report = await createPagerdutySource(testOverrides(pd.certificate).overrides).sync(deps);

    expect(report).toMatchObject({ fetched: 2, inserted: 2 });
    expect(report.notes).toContainEqual(expect.stringMatching(/^skipped incident PBAD: resolved_at: /));
    expect(incidentRow(deps, "PREF")).toMatchObject({ status: "resolved", priority: null });
    expect(incidentRow(deps, "PGOOD")).toBeDefined();
    expect(incidentRow(deps, "PBAD")).toBeUndefined();
  });

  it("says when the certificate is not trusted, as TLS and not as an HTTP status", async () => {
    const deps = testDeps({ host: pd.fake.host });
    const { sleeps, overrides } = testOverrides(pd.certificate);
    // Node's own CA store does not know the fake's self-signed CA.
    const { agent: _trusted, ...untrusted } = overrides;
    await expect(createPagerdutySource(untrusted).sync(deps)).rejects.toThrow(/^127\.0\.0\.1:\d+: TLS failed \((SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE): self-signed certificate\)/);
    expect(sleeps).toEqual([]);
  });

  it("says a refused connection is one, at once", async () => {
    const { createServer } = await import("node:net");
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const deps = testDeps({ host: `127.0.0.1:${port}` });
    await expect(createPagerdutySource(testOverrides(pd.certificate).overrides).sync(deps)).rejects.toThrow(`127.0.0.1:${port}: connection refused`);
    expect(await deps.store.syncState.cursor("pagerduty", "incidents")).toMatchObject({ last_error: expect.stringContaining("connection refused") });
  });
});
