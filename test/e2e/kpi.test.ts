import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../src/present/blocks/limits.js";
import { postSigned, slashCommandBody } from "../fakes/slack/signed.js";
import { ADMIN, BOT_TOKEN, blocksText, SIGNING_SECRET, freshAppForEachTest, type TestApp } from "./harness.js";
import { peekRow, TEST_ENGINE } from "../support/test-store.js";

let t: TestApp;
freshAppForEachTest((app) => (t = app));

describe("/kpi over signed HTTP against a fake Slack", () => {
  it("verifies the token with auth.test at start-up, sending the bot token", () => {
    const auth = t.slack.callsTo("auth.test");
    expect(auth.length).toBeGreaterThanOrEqual(1);
    expect(auth[0]!.authorization).toBe(`Bearer ${BOT_TOKEN}`);
  });

  it("answers a metric question privately with the full answer", async () => {
    const { status, responses } = await t.kpi("mttr last 30 days for team payments");
    expect(status).toBe(200);
    expect(responses).toHaveLength(1);
    const reply = responses[0]!;
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toMatch(/^Mean time to recovery for team payments, last 30 days: .+ \(n = \d+ resolved incidents\)$/);
    const blocks = reply.blocks as { type: string }[];
    expect(blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Mean time to recovery · team payments", emoji: true } });
    const json = blocksText(reply);
    expect(json).toContain("*Benchmark tier*");
    expect(json).toContain("*Threshold*");
    expect(json).toContain("*Last 12 weeks*");
    expect(json).toContain("Europe/Berlin");
    const buttons = (blocks.at(-1) as unknown as { elements: { action_id: string; value: string }[] }).elements;
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      ["kpi:share", "mttr last 30 days for team payments"],
      ["kpi:drivers", "mttr last 30 days for team payments"],
      ["kpi:explain", "mttr"],
      ["kpi:rows", "mttr last 30 days for team payments"],
    ]);
    expect(blockKitProblems(blocks)).toEqual([]);
  });

  it("posts in the channel when the question ends with `public`", async () => {
    const { responses } = await t.kpi("cfr last 30d for checkout public");
    expect(responses[0]!.response_type).toBe("in_channel");
    expect(blocksText(responses[0])).toContain("shared by <@U0ASKER>");
    expect(blocksText(responses[0])).not.toContain("kpi:share");
  });

  it("shows the four keys for `summary`, help and explain", async () => {
    const summary = (await t.kpi("summary last 30 days")).responses[0]!;
    expect(summary.text).toMatch(/^Delivery summary for whole org, last 30 days: Deployment frequency .+; Lead time for changes .+; Change failure rate .+; Mean time to recovery .+$/);
    const help = (await t.kpi("help")).responses[0]!;
    expect(blocksText(help)).toContain("Admin commands");
    expect(blocksText(help)).toContain("/kpi threshold set &lt;metric&gt; warn &lt;x&gt; critical &lt;y&gt; [for &lt;team|service&gt;]");
    expect(blocksText(help)).toContain("Ask: &lt;metric&gt; [window]");
    const explain = (await t.kpi("explain cfr")).responses[0]!;
    expect(explain.text).toMatch(/^Change failure rate: /);
    expect(blocksText(explain)).toContain("How Vitals computes Change failure rate");
  });

  it("answers a parse error with the problem and a suggestion", async () => {
    const reply = (await t.kpi("mtr last 30 days")).responses[0]!;
    expect(reply.response_type).toBe("ephemeral");
    expect(blocksText(reply)).toContain("I could not read `/kpi mtr last 30 days`");
    expect(blocksText(reply)).toContain("mttr");
  });

  it("answers no data with how to connect a source, privately even when `public`", async () => {
    const reply = (await t.kpi("mttr 2020-01-01..2020-01-31 public")).responses[0]!;
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toBe("No data for Mean time to recovery for whole org in 2020-01-01..2020-01-31");
    expect(blocksText(reply)).toContain("PAGERDUTY_TOKEN");
  });

  it("rejects a wrong signature and a stale timestamp with 401 and answers nothing", async () => {
    const before = t.slack.responses.length;
    const responseUrl = t.slack.responseUrl();
    const body = slashCommandBody({ text: "mttr", responseUrl });
    expect((await postSigned({ url: t.eventsUrl, secret: "not-the-secret", body })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 10 * 60;
    expect((await postSigned({ url: t.eventsUrl, secret: SIGNING_SECRET, body, timestampSec: stale })).status).toBe(401);
    expect(t.slack.responses.length).toBe(before);
  });

  it("serves /healthz on the same server", async () => {
    const response = await fetch(`${t.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "ok", slack: "connected", store: TEST_ENGINE, leader: true, syncs: [] });
  });

  it("never logs the bot token or the signing secret", () => {
    const all = t.logs.join("\n");
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SIGNING_SECRET);
  });
});

describe("admin commands", () => {
  it("refuses non-admins politely after asking Slack whether they are workspace admins", async () => {
    t.slack.addUser({ id: "U0PLAIN" });
    const reply = (await t.kpi("threshold set mttr warn 2h critical 6h", { userId: "U0PLAIN" })).responses[0]!;
    expect(reply.text).toBe("Sorry, /kpi threshold set is for Vitals admins.");
    expect(t.slack.callsTo("users.info").at(-1)!.args).toMatchObject({ user: "U0PLAIN" });
  });

  it("lets workspace admins in (users.info is_admin)", async () => {
    t.slack.addUser({ id: "U0WSADMIN", isAdmin: true });
    const reply = (await t.kpi("config", { userId: "U0WSADMIN" })).responses[0]!;
    expect(reply.text).toMatch(/^Vitals settings: /);
    const sync = (await t.kpi("sync", { userId: "U0WSADMIN" })).responses[0]!;
    expect(sync.text).not.toMatch(/^Sorry/);
  });

  it("threshold set is stored, wins over the YAML and shows in answers and /kpi config", async () => {
    const set = (await t.kpi("threshold set mttr warn 2h critical 1d for team payments", { userId: ADMIN })).responses[0]!;
    expect(set.text).toBe(":white_check_mark: Mean time to recovery for team payments: warn at 2 h, critical at 24 h.");
    expect(await t.deps.store.slack.thresholds()).toMatchObject([{ metric: "mttr", scope_kind: "team", scope_id: "payments", warn: 2, critical: 24, set_by: ADMIN }]);
    const answer = (await t.kpi("mttr for team payments")).responses[0]!;
    expect(blocksText(answer)).toContain("warn ≥ 2 h, critical ≥ 24 h");
    const config = (await t.kpi("config")).responses[0]!;
    expect(blocksText(config)).toContain("`mttr` for team payments: warn 2 h, critical 24 h _(set in Slack by <@U0ADMIN>");
  });

  it("threshold set explains a bad value", async () => {
    const reply = (await t.kpi("threshold set mttr warn soon critical 1d", { userId: ADMIN })).responses[0]!;
    expect(reply.text).toBe(':warning: warn: expected hours (or 4h, 2d, 30m), got "soon".');
  });

  it("annotate stores a note that appears in answers for its window", async () => {
    const reply = (await t.kpi('annotate "Froze deploys for the audit" for team payments at 2026-04-20', { userId: ADMIN })).responses[0]!;
    expect(reply.text).toBe(":pushpin: Annotated team payments at Apr 20, 2026 00:00 (Europe/Berlin): “Froze deploys for the audit”");
    const again = await t.kpi('annotate "Froze deploys for the audit" for team payments at 2026-04-20', { userId: ADMIN });
    expect(again.status).toBe(200);
    const answer = (await t.kpi("deploys last 30 days for team payments")).responses[0]!;
    // Once in the window's annotations (dated in the team's zone), however often it was sent.
    expect(blocksText(answer).match(/Apr 20 \(payments\): Froze deploys for the audit/g)).toHaveLength(1);
  });

  it("subscribe sets the team's channel for digests and alerts", async () => {
    const reply = (await t.kpi("subscribe <#C0NEWCHAN1|payments-eng> payments", { userId: ADMIN })).responses[0]!;
    expect(reply.text).toBe(":incoming_envelope: Payments's digests and alerts now go to <#C0NEWCHAN1>.");
    expect(t.deps.config.teams.find((team) => team.id === "payments")!.channel).toBe("C0NEWCHAN1");
  });

  it("link corrects an incident's deployment, and says what it cannot find", async () => {
    const missing = (await t.kpi("link NOPE-1 abcdef1", { userId: ADMIN })).responses[0]!;
    expect(missing.text).toBe(':warning: no incident "NOPE-1".');
    const store = t.deps.store;
    const incident = (await peekRow<{ external_id: string; created_at: number }>(store, "SELECT external_id, service_id, created_at FROM incidents WHERE service_id = 'checkout' ORDER BY created_at DESC LIMIT 1"))!;
    const deployment = (await peekRow<{ id: number; external_id: string }>(
      store,
      "SELECT id, external_id FROM deployments WHERE service_id = 'checkout' AND status = 'success' AND finished_at < ? ORDER BY finished_at, id LIMIT 1",
      [incident.created_at],
    ))!;
    const reply = (await t.kpi(`link ${incident.external_id} ${deployment.external_id}`, { userId: ADMIN })).responses[0]!;
    expect(reply.text).toMatch(/^:link: Incident \*.+\* is now linked to deployment `.+` of checkout/);
    const row = await peekRow(store, "SELECT linked_deployment_id, link_rule FROM incidents WHERE external_id = ?", [incident.external_id]);
    expect(row).toEqual({ linked_deployment_id: deployment.id, link_rule: "manual" });
  });
});

describe("subcommands of the jobs, through the same router", () => {
  it("threshold preview and reviews answer", async () => {
    const preview = (await t.kpi("threshold preview cfr warn 10 critical 15 for team payments")).responses[0]!;
    expect(preview.response_type).toBe("ephemeral");
    expect(String(preview.text)).not.toMatch(/^Sorry|could not read/);
    const reviews = (await t.kpi("reviews for payments")).responses[0]!;
    expect(String(reviews.text)).toMatch(/Post-incident reviews/);
  });
});
