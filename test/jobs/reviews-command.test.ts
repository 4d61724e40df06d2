import { describe, expect, it } from "vitest";
import { reviewsSubcommand } from "../../src/slack/commands/reviews.js";
import { testDeps } from "./helpers.js";
import { sqliteOf } from "../support/sqlite-of.js";

const at = (iso: string) => Date.parse(iso);

describe("/kpi reviews", () => {
  it("lists open reviews, marks the overdue ones and reports the completed share", async () => {
    const deps = testDeps(undefined, undefined, at("2026-03-20T10:00:00Z"));
    await deps.store.write([
      { kind: "incident", source: "pagerduty", externalId: "A", service: "payments-api", title: "Card declines", severity: "SEV1", createdAtMs: at("2026-03-02T10:00:00Z"), resolvedAtMs: at("2026-03-02T11:00:00Z"), ownerName: "Ada Lovelace" },
      { kind: "incident", source: "pagerduty", externalId: "B", service: "ledger", title: "Ledger lag", severity: "SEV2", createdAtMs: at("2026-03-18T10:00:00Z"), resolvedAtMs: at("2026-03-18T11:00:00Z") },
      { kind: "incident", source: "pagerduty", externalId: "C", service: "web", title: "Slow pages", severity: "SEV2", createdAtMs: at("2026-03-10T10:00:00Z"), resolvedAtMs: at("2026-03-10T11:00:00Z") },
    ]);
    const incidentId = (ext: string) => (sqliteOf(deps.store).db.prepare("SELECT id FROM incidents WHERE external_id = ?").get(ext) as { id: number }).id;
    const open = async (ext: string, teamId: string, dueIso: string) =>
      (await deps.store.reviews.open({ incidentId: incidentId(ext), teamId, ownerSlackId: null, ownerEmail: null, openedAtMs: at("2026-03-02T12:00:00Z"), dueAtMs: at(dueIso) }))!;
    await open("A", "payments", "2026-03-09T17:00:00Z");
    await open("B", "payments", "2026-03-25T17:00:00Z");
    await deps.store.reviews.markDone(await open("C", "growth", "2026-03-17T17:00:00Z"), "https://docs.example.com/c", at("2026-03-12T10:00:00Z"));

    const ctx = { deps, text: "", userId: "U1", channelId: "C1", isAdmin: false };
    const payments = await reviewsSubcommand.run({ ...ctx, args: ["for", "payments"] });
    expect(payments.text).toBe(
      [
        "*Post-incident reviews for Payments*",
        "Post-incident reviews: 2 open, 1 overdue",
        "  OVERDUE [SEV1] Card declines — Ada Lovelace, due Mon 9 Mar",
        "  [SEV2] Ledger lag — no owner, due Wed 25 Mar",
        "Reviews completed: 0 of 2 SEV1/SEV2 incidents in the last 90 days (0 %).",
      ].join("\n"),
    );
    const all = await reviewsSubcommand.run({ ...ctx, args: [] });
    expect(all.text).toContain("Reviews completed: 1 of 3 SEV1/SEV2 incidents in the last 90 days (33 %).");
    expect((await reviewsSubcommand.run({ ...ctx, args: ["mobile"] })).text).toBe('Unknown team "mobile". Teams: payments, growth.');
    // In a team's channel, no team named means that team.
    expect((await reviewsSubcommand.run({ ...ctx, channelId: "C0GROWTH1", args: [] })).text).toContain("*Post-incident reviews for Growth*\nPost-incident reviews: none open.");
  });
});
