import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { JobContext } from "../../src/jobs/digest.js";
import { runReviews } from "../../src/reviews/reminders.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import { REVIEW_ACTIONS } from "../../src/present/review-blocks.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { scriptedEngine, testDeps } from "./helpers.js";

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
let slack: FakeSlack;

beforeAll(async () => {
  slack = await startFakeSlack();
  slack.addUser({ id: "U0ADA", email: "ada@example.com" });
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

function incident(id: string, overrides: Partial<Extract<VitalsRecord, { kind: "incident" }>> = {}): VitalsRecord {
  return {
    kind: "incident",
    source: "pagerduty",
    externalId: id,
    service: "payments-api",
    title: `Checkout errors ${id}`,
    severity: "SEV1",
    urgency: "high",
    createdAtMs: at("2026-03-04T11:00:00Z"),
    acknowledgedAtMs: at("2026-03-04T11:06:00Z"),
    resolvedAtMs: at("2026-03-04T13:00:00Z"),
    ownerEmail: "ada@example.com",
    url: `https://example.pagerduty.com/incidents/${id}`,
    ...overrides,
  };
}

describe("post-incident reviews", () => {
  it("opens a review on resolve and reminds the owner at the right business-day times, escalating when overdue, until done", async () => {
    const deps = testDeps();
    const ctx: JobContext = { deps, slack: slack.client(), engine: scriptedEngine() };
    await deps.store.write([
      { kind: "deployment", source: "github", externalId: "d-1", service: "payments-api", environment: "production", status: "success", finishedAtMs: at("2026-03-04T10:30:00Z"), sha: "9f1c2e3d4b5a" },
      incident("P1", { deploymentRef: "d-1" }),
      incident("P3", { severity: "SEV3", urgency: "low" }),
    ]);

    const sent: { kind: string; atIso: string; channel: string | null }[] = [];
    let done = false;
    for (let t = at("2026-03-04T13:30:00Z"); t < at("2026-03-20T00:00:00Z"); t += 30 * MIN) {
      if (!done && t >= at("2026-03-17T12:00:00Z")) {
        const review = (await deps.store.reviews.listOpen())[0]!;
        expect(await deps.store.reviews.markDone(review.id, "https://docs.example.com/pir/P1", t)).toBe(true);
        done = true;
      }
      const { reminders } = await runReviews(ctx, t);
      for (const r of reminders) sent.push({ kind: r.kind, atIso: new Date(t).toISOString(), channel: r.channel });
    }

    // Berlin: working hours 09:00–18:00 CET (08:00–17:00 UTC); due Wednesday 11 March 18:00.
    expect(sent).toEqual([
      { kind: "opened", atIso: "2026-03-04T13:30:00.000Z", channel: "D0ADA" },
      { kind: "before_due", atIso: "2026-03-10T08:00:00.000Z", channel: "D0ADA" },
      { kind: "due", atIso: "2026-03-11T08:00:00.000Z", channel: "D0ADA" },
      { kind: "overdue:2", atIso: "2026-03-13T08:00:00.000Z", channel: "D0ADA" },
      { kind: "escalation", atIso: "2026-03-16T08:00:00.000Z", channel: "C0PAYMENTS" },
      { kind: "overdue:4", atIso: "2026-03-17T08:00:00.000Z", channel: "D0ADA" },
    ]);
    expect(slack.callsTo("users.lookupByEmail").map((c) => c.args.email)).toEqual(["ada@example.com"]);

    const review = (await deps.store.reviews.get(1))!;
    expect(review).toMatchObject({ status: "done", doc_url: "https://docs.example.com/pir/P1", owner_slack_id: "U0ADA", due_at: at("2026-03-11T17:00:00Z") });
    expect(review.escalated_at).toBe(at("2026-03-16T08:00:00Z"));

    const opened = slack.callsTo("chat.postMessage")[0]!;
    expect(opened.args.channel).toBe("U0ADA");
    const text = JSON.stringify(opened.args.blocks);
    for (const line of ["Created: Wed 4 Mar 12:00", "Acknowledged: Wed 4 Mar 12:06 (after 6 min)", "Resolved: Wed 4 Mar 14:00", "Time to recover: 2 h", "deployment 9f1c2e3", "What conditions allowed this"]) {
      expect(text).toContain(line);
    }
    const actions = (opened.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === "actions")!;
    expect(actions.elements!.map((e) => e.action_id)).toEqual([REVIEW_ACTIONS.done, REVIEW_ACTIONS.snooze, REVIEW_ACTIONS.notNeeded]);
    expect(actions.elements![0]!.value).toBe("1");
  });

  it("falls back to the team channel when the owner's email is not a Slack user", async () => {
    const deps = testDeps();
    const ctx: JobContext = { deps, slack: slack.client(), engine: scriptedEngine() };
    await deps.store.write([incident("P9", { ownerEmail: "nobody@example.com" })]);
    const result = await runReviews(ctx, at("2026-03-04T14:00:00Z"));
    expect(result.opened).toHaveLength(1);
    expect(result.reminders).toEqual([{ reviewId: result.opened[0], kind: "opened", channel: "C0PAYMENTS" }]);
    // Idempotent: the next tick opens nothing and sends nothing.
    expect(await runReviews(ctx, at("2026-03-04T14:01:00Z"))).toEqual({ opened: [], reminders: [] });
  });

  it("ignores incidents resolved long ago (a first backfill) and follows a team's own review policy", async () => {
    const yaml = `
teams:
  - id: payments
    name: Payments
    channel: C0PAYMENTS
    services: [payments-api]
    review_policy: { severities: [SEV1], urgencies: [], due_business_days: 2 }
`;
    const { testConfig } = await import("./helpers.js");
    const deps = testDeps(testConfig(yaml));
    const ctx: JobContext = { deps, slack: slack.client(), engine: scriptedEngine() };
    await deps.store.write([
      incident("OLD", { createdAtMs: at("2026-01-04T11:00:00Z"), resolvedAtMs: at("2026-01-04T13:00:00Z") }),
      incident("SEV2", { severity: "SEV2" }),
      incident("SEV1"),
    ]);
    const { opened } = await runReviews(ctx, at("2026-03-04T14:00:00Z"));
    const externalIds: string[] = [];
    for (const id of opened) externalIds.push((await deps.store.reviews.get(id))!.external_id);
    expect(externalIds).toEqual(["SEV1"]);
    expect((await deps.store.reviews.get(opened[0]!))!.due_at).toBe(at("2026-03-06T18:00:00Z")); // UTC team, 2 business days
  });
});

describe("post-incident review owner lookup", () => {
  it("opens the review for the team channel when Slack refuses the email lookup", async () => {
    const deps = testDeps();
    const ctx: JobContext = { deps, slack: slack.client(), engine: scriptedEngine() };
    await deps.store.write([incident("PZ", { ownerEmail: "ada@example.com" })]);
    slack.failNext("users.lookupByEmail", { error: "missing_scope" });
    const result = await runReviews(ctx, at("2026-03-04T14:00:00Z"));
    expect(result.reminders).toEqual([{ reviewId: result.opened[0], kind: "opened", channel: "C0PAYMENTS" }]);
  });
});
