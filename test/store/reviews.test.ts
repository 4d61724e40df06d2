import { describe, expect, it } from "vitest";
import { openBareTestStore, peekRow } from "../support/test-store.js";

const T0 = Date.parse("2026-03-02T10:00:00Z");

async function setup() {
  const store = await openBareTestStore();
  await store.write([
    { kind: "incident", source: "pagerduty", externalId: "P1", service: "checkout", title: "Checkout down", severity: "SEV1", createdAtMs: T0, resolvedAtMs: T0 + 3_600_000, ownerEmail: "ada@example.com" },
    { kind: "incident", source: "pagerduty", externalId: "P2", service: "checkout", title: "Still open", severity: "SEV1", createdAtMs: T0 },
  ]);
  const id = (await peekRow<{ id: number }>(store, "SELECT id FROM incidents WHERE external_id = 'P1'"))!.id;
  return { store, incidentId: id };
}

describe("review store", () => {
  it("offers resolved incidents without a review as candidates, and opens one review per incident", async () => {
    const { store, incidentId } = await setup();
    expect((await store.reviews.candidates(T0)).map((c) => c.external_id)).toEqual(["P1"]);
    const review = { incidentId, teamId: null, ownerSlackId: "U1", ownerEmail: "ada@example.com", openedAtMs: T0, dueAtMs: T0 + 5 * 86_400_000 };
    const id = await store.reviews.open(review);
    expect(id).toBeTypeOf("number");
    expect(await store.reviews.open(review)).toBeUndefined();
    expect(await store.reviews.candidates(T0)).toEqual([]);
    expect((await store.reviews.listOpen()).map((r) => r.title)).toEqual(["Checkout down"]);
  });

  it("records each reminder kind once and closes a review once", async () => {
    const { store, incidentId } = await setup();
    const id = (await store.reviews.open({ incidentId, teamId: null, ownerSlackId: null, ownerEmail: null, openedAtMs: T0, dueAtMs: T0 }))!;
    expect(await store.reviews.recordReminder(id, "opened", T0, null, null)).toBe(true);
    expect(await store.reviews.recordReminder(id, "opened", T0 + 1, null, null)).toBe(false);
    await store.reviews.completeReminder(id, "opened", "D1", "171.1");
    expect(await store.reviews.reminders(id)).toEqual([{ review_id: id, kind: "opened", sent_at: T0, channel: "D1", ts: "171.1" }]);
    expect(await store.reviews.markDone(id, "https://docs/x", T0, "U9")).toBe(true);
    expect(await store.reviews.markNotNeeded(id, "dup", T0)).toBe(false);
    expect(await store.reviews.get(id)).toMatchObject({ status: "done", doc_url: "https://docs/x", closed_by: "U9" });
    expect(await store.reviews.listOpen()).toEqual([]);
    expect(await store.reviews.completion(["sev1"], T0, T0 + 86_400_000)).toEqual({ incidents: 1, done: 1 });
  });
});

describe("digest store", () => {
  it("lets exactly one caller claim a team's week, and gives it back on failure", async () => {
    const { store } = await setup();
    expect(await store.digests.claim("payments", "2026-03-02", T0)).toBe(true);
    expect(await store.digests.claim("payments", "2026-03-02", T0 + 1)).toBe(false);
    await store.digests.release("payments", "2026-03-02");
    expect(await store.digests.claim("payments", "2026-03-02", T0 + 2)).toBe(true);
    await store.digests.complete("payments", "2026-03-02", "C1", "1.2");
    expect(await store.digests.get("payments", "2026-03-02")).toEqual({ team_id: "payments", week_start: "2026-03-02", posted_at: T0 + 2, channel: "C1", ts: "1.2" });
  });
});
