import { describe, expect, it } from "vitest";
import { METRIC_IDS } from "../../src/domain/metric-ids.js";
import { answerBlocks, changeText, driversBlocks, thresholdText } from "../../src/present/blocks/answer.js";
import { internalErrorBlocks, isNoData, noDataBlocks, notAdminBlocks, parseErrorBlocks } from "../../src/present/blocks/errors.js";
import { escapeMrkdwn, formatWindowRange } from "../../src/present/blocks/format-slack.js";
import { helpBlocks } from "../../src/present/blocks/help.js";
import { homeView } from "../../src/present/blocks/home.js";
import { blockKitProblems } from "../../src/present/blocks/limits.js";
import { summaryBlocks } from "../../src/present/blocks/summary.js";
import type { KpiAnswer } from "../../src/domain/answer.js";
import { kpiAnswer } from "../support/answer.js";

// The answer these render tests read: MTTR of team payments last month, with every part filled in.
const weeks = Array.from({ length: 12 }, (_, i) => {
  const from = new Date(Date.UTC(2026, 0, 5 + i * 7)).toISOString();
  const to = new Date(Date.UTC(2026, 0, 12 + i * 7)).toISOString();
  return { from, to, value: i === 3 ? null : 2 + i * 0.5, sample_size: i === 3 ? 0 : 3 };
});
const mttrLastMonth: Partial<KpiAnswer> = {
  window: { from: "2026-02-28T23:00:00.000Z", to: "2026-03-31T22:00:00.000Z", label: "last month" },
  scope: { kind: "team", id: "payments" },
  value: 4.25,
  sample_size: 12,
  stats: { mean: 4.25, median: 3.1, p90: 9.5 },
  previous: { window: { from: "2026-01-29T00:00:00.000Z", to: "2026-03-01T00:00:00.000Z" }, value: 3.1, sample_size: 9 },
  change: { absolute: 1.15, percent: 37.1, significant: null, p_value: null, test: null },
  tier: "high",
  interval: null,
  trend: { test: "mann_kendall", n: 0, p_value: null, significant: null, slope_per_week: null, direction: "none" },
  findings: [],
  threshold: { status: "warn", warn: 4, critical: 8 },
  series: weeks,
  drivers: [
    { kind: "incident", label: "Checkout 500s after <deploy> & rollback", contribution: 0.9, share: 78, detail: "6.2 h to resolve", url: "https://pd.example/incidents/Q1" },
    { kind: "service", label: "payments-api", contribution: 0.3, share: 22 },
  ],
  prompts: ["Was the on-call rota paused in March?"],
  annotations: [{ at: "2026-03-02T10:00:00.000Z", text: "Release train moved to Fridays", service: null, team: "payments" }],
  definition: "mean of 12 resolved incidents, resolved Mar 1–Mar 31",
  notes: ["2 incidents still open (oldest 3 d) are excluded"],
};

const texts = (blocks: readonly { type: string }[]) => JSON.stringify(blocks);

describe("answer blocks", () => {
  const { text, blocks } = answerBlocks(kpiAnswer("mttr", mttrLastMonth), { zone: "Europe/Berlin", question: "mttr last month for team payments" });

  it("heads with the metric and scope, then the value with unit and sample size", () => {
    expect(blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Mean time to recovery · team payments", emoji: true } });
    expect(blocks[1]).toEqual({ type: "section", text: { type: "mrkdwn", text: "*4.3 h*  last month · n = 12 resolved incidents" } });
    expect(text).toBe("Mean time to recovery for team payments, last month: 4.3 h (n = 12 resolved incidents)");
  });

  it("names the sample as the answer counts it, as the text reply does (services for a level)", () => {
    const coverage = answerBlocks(kpiAnswer("coverage", mttrLastMonth, { label: "Code coverage", unit: "percent", value: 78.5, sample_size: 9 }), { zone: "UTC", question: "coverage" });
    expect(coverage.text).toMatch(/\(n = 9 services\)$/);
  });

  it("shows the change with an arrow and red when a higher-is-worse metric went up", () => {
    expect(changeText(kpiAnswer("mttr", mttrLastMonth))).toBe("↑ +37 % :red_circle: worse (was 3.1 h)");
    expect(changeText(kpiAnswer("deployment_frequency", mttrLastMonth, { value: 2, previous: { window: { from: "", to: "" }, value: 1, sample_size: 30 }, change: { absolute: 1, percent: 100, significant: null, p_value: null, test: null } }))).toBe(
      "↑ +100 % :large_green_circle: better (was 1/day)",
    );
    expect(changeText(kpiAnswer("change_failure_rate", mttrLastMonth, { value: 8, previous: { window: { from: "", to: "" }, value: 10, sample_size: 30 }, change: { absolute: -2, percent: -20, significant: null, p_value: null, test: null } }))).toBe(
      "↓ −2 pp :large_green_circle: better (was 10 %)",
    );
  });

  it("shows tier, threshold status and a 12-week sparkline with a gap for the empty week", () => {
    const fieldTexts = (blocks[2] as unknown as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fieldTexts).toEqual([
      "*vs previous last month*\n↑ +37 % :red_circle: worse (was 3.1 h)",
      "*Benchmark tier*\nHigh",
      "*Threshold*\n:warning: warn (warn ≥ 4 h, critical ≥ 8 h)",
      "*Last 12 weeks*\n`▁▂▂ ▄▄▅▅▆▇▇█`",
    ]);
    expect(thresholdText(kpiAnswer("mttr", mttrLastMonth, { threshold: { status: null, warn: null, critical: null } }))).toBe(":heavy_minus_sign: none set");
  });

  it("lists drivers (escaped, linked), prompts, annotations in the team's zone, notes and the context line", () => {
    const json = texts(blocks);
    expect(json).toContain("<https://pd.example/incidents/Q1|Checkout 500s after &lt;deploy&gt; &amp; rollback> · +54 min · 78 % of the change — 6.2 h to resolve");
    expect(json).toContain("Was the on-call rota paused in March?");
    expect(json).toContain("Mar 2 (payments): Release train moved to Fridays");
    expect(json).toContain("_2 incidents still open (oldest 3 d) are excluded_");
    expect(blocks.at(-2)).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "mean of 12 resolved incidents, resolved Mar 1–Mar 31 · last month (Mar 1–Mar 31, 2026, Europe/Berlin)" }],
    });
  });

  it("ends with Share in channel, Show drivers, Explain and Download rows buttons carrying the question", () => {
    expect(blocks.at(-1)).toMatchObject({
      type: "actions",
      elements: [
        { action_id: "kpi:share", value: "mttr last month for team payments" },
        { action_id: "kpi:drivers", value: "mttr last month for team payments" },
        { action_id: "kpi:explain", value: "mttr" },
        { action_id: "kpi:rows", value: "mttr last month for team payments" },
      ],
    });
    const shared = answerBlocks(kpiAnswer("mttr", mttrLastMonth), { zone: "UTC", question: "mttr", shared: true, sharedBy: "U1" }).blocks;
    expect(texts(shared)).not.toContain("kpi:share");
    expect(texts(shared)).toContain("shared by <@U1>");
  });

  it("stays within Block Kit limits for every metric, even with huge drivers and prompts", () => {
    for (const metric of METRIC_IDS) {
      const huge = kpiAnswer(metric, mttrLastMonth, {
        drivers: Array.from({ length: 40 }, (_, i) => ({ kind: "service" as const, label: `svc-${i} ${"x".repeat(300)}`, contribution: i, share: 0.01, detail: "y".repeat(400) })),
        prompts: Array.from({ length: 30 }, () => "why? ".repeat(200)),
        annotations: Array.from({ length: 30 }, (_, i) => ({ at: "2026-03-02T10:00:00Z", text: `note ${i} ${"z".repeat(500)}`, service: null, team: null })),
        notes: Array.from({ length: 20 }, () => "n".repeat(3000)),
        label: "L".repeat(400),
      });
      const rendered = answerBlocks(huge, { zone: "UTC", question: "q".repeat(5000) });
      expect(blockKitProblems(rendered.blocks), metric).toEqual([]);
      expect(blockKitProblems(driversBlocks(huge, "UTC").blocks), metric).toEqual([]);
    }
  });

  it("the limits check itself catches what Slack rejects", () => {
    expect(blockKitProblems(Array.from({ length: 51 }, () => ({ type: "divider" })))).toEqual(["51 blocks (limit 50)"]);
    expect(blockKitProblems([{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }])).toEqual([
      "block 0 (section): text of 3001 characters (limit 3000)",
    ]);
  });
});

describe("error answers", () => {
  it("a parse error repeats the question, says the problem and suggests forms", () => {
    const r = parseErrorBlocks("mtr <x>", 'unknown metric "mtr". Did you mean "mttr"?');
    expect(r.blocks[0]).toEqual({ type: "section", text: { type: "mrkdwn", text: ':thinking_face: I could not read `/kpi mtr &lt;x&gt;`\nunknown metric "mtr". Did you mean "mttr"?' } });
    expect(texts(r.blocks)).toContain("/kpi help");
  });

  it("no data says what is missing and how to connect the source", () => {
    const empty = kpiAnswer("mttr", mttrLastMonth, { value: null, sample_size: 0 });
    expect(isNoData(empty)).toBe(true);
    expect(isNoData(kpiAnswer("mttr", mttrLastMonth))).toBe(false);
    const r = noDataBlocks(empty);
    expect(r.text).toBe("No data for Mean time to recovery for team payments in last month");
    expect(texts(r.blocks)).toContain("PAGERDUTY_TOKEN");
  });

  it("an internal error apologises with the error id and nothing else", () => {
    const r = internalErrorBlocks("ab12cd34");
    expect(r.text).toBe("Sorry, something went wrong on my side (error id ab12cd34).");
    expect(texts(r.blocks)).not.toMatch(/at .*\.ts:\d+/);
  });

  it("non-admins get a polite refusal naming the command", () => {
    expect(notAdminBlocks("sync").text).toBe("Sorry, /kpi sync is for Vitals admins.");
  });
});

describe("summary, help and home", () => {
  const answers = (["deployment_frequency", "lead_time", "change_failure_rate", "mttr"] as const).map((metric) => kpiAnswer(metric, mttrLastMonth));

  it("summary shows the four keys, one line each with a Details button", () => {
    const r = summaryBlocks(answers, { zone: "UTC", windowLabel: "last 30 days", question: "summary last 30 days", detailQuestion: (a) => `${a.metric} last 30 days` });
    expect(r.blocks.filter((b) => b.type === "section")).toHaveLength(4);
    expect(r.blocks[1]).toMatchObject({ accessory: { action_id: "kpi:details:deployment_frequency", value: "deployment_frequency last 30 days" } });
    expect(blockKitProblems(r.blocks)).toEqual([]);
  });

  it("help shows the grammar and the commands, admin ones apart", () => {
    const r = helpBlocks("Ask: <metric> [window]", [
      { usage: "config", summary: "settings" },
      { usage: "sync", summary: "pull now", adminOnly: true },
    ]);
    const json = texts(r.blocks);
    expect(json).toContain("Ask: &lt;metric&gt; [window]");
    expect(json).toContain("*Admin commands*\\n• `/kpi sync` — pull now");
  });

  it("home view has a team picker with the selection and every KPI", () => {
    const view = homeView({
      teams: [{ id: "payments", name: "Payments" }],
      team: { id: "payments", name: "Payments" },
      answers: [...answers, kpiAnswer("uptime", mttrLastMonth)],
      reviews: [{ title: "DB failover", service: "payments-api", dueAtIso: "2026-03-30T00:00:00Z", overdue: true, url: null }],
      zone: "Europe/Berlin",
      windowLabel: "last 30 days",
      updatedAtIso: "2026-04-01 09:00 UTC",
    });
    expect(view.type).toBe("home");
    expect(view.blocks[1]).toMatchObject({ elements: [{ action_id: "home:team", initial_option: { value: "payments" } }, { action_id: "home:refresh" }] });
    expect(texts(view.blocks)).toContain("DB failover (payments-api) — :red_circle: overdue since 2026-03-30");
    expect(blockKitProblems(view.blocks, "home")).toEqual([]);
  });
});

describe("Slack text helpers", () => {
  it("escapes only &, < and >", () => {
    expect(escapeMrkdwn("a < b && c > *d*")).toBe("a &lt; b &amp;&amp; c &gt; *d*");
  });
  it("shows an exclusive window end as the last day, in the zone", () => {
    expect(formatWindowRange({ from: "2026-02-28T23:00:00Z", to: "2026-03-31T22:00:00Z" }, "Europe/Berlin")).toBe("Mar 1–Mar 31, 2026");
    expect(formatWindowRange({ from: "2025-12-01T00:00:00Z", to: "2026-01-15T00:00:00Z" }, "UTC")).toBe("Dec 1, 2025–Jan 14, 2026");
  });
});
