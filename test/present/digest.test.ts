import { describe, expect, it } from "vitest";
import { digestBlocks } from "../../src/present/digest-blocks.js";
import { formatChange, formatValue } from "../../src/present/format-value.js";
import { seriesSparkline, sparkline } from "../../src/present/sparkline.js";
import { buildDigestModel, type DigestInput } from "../../src/present/digest-model.js";
import { renderDigestText } from "../../src/present/digest-text.js";
import { kpiAnswer } from "../support/answer.js";

const from = Date.parse("2026-03-23T00:00:00Z");
const to = Date.parse("2026-03-30T00:00:00Z");

function input(overrides: Partial<DigestInput> = {}): DigestInput {
  return {
    team: { id: "payments", name: "Payments" },
    zone: "UTC",
    fromMs: from,
    toMs: to,
    weekLabel: "23–29 Mar 2026",
    answers: [],
    reviews: [],
    reviewCompletion: { incidents: 0, done: 0 },
    ...overrides,
  };
}

const cfr = kpiAnswer("change_failure_rate", {
  value: 14.3,
  previous: { window: { from: "", to: "" }, value: 8.2, sample_size: 30 },
  change: { absolute: 6.1, percent: 74, significant: true, p_value: 0.004, test: "fisher_exact" },
  tier: "medium",
  threshold: { status: "warn", warn: 10, critical: 15 },
  drivers: [{ kind: "service", label: "checkout", contribution: 4.2, share: 69, detail: "5 of 7 failures after Friday deploys" }],
  prompts: ["Friday deploys failed 3× more often: did the release train change?"],
  findings: [{ kind: "weekday", text: "Friday deploys failed 3× more often: did the release train change?", evidence: { observed: 5, expected: 1.4, n: 7, p_value: 0.003 } }],
  annotations: [
    { at: "2026-03-26T10:00:00.000Z", text: "Release train moved to Fridays", service: "checkout", team: null },
    { at: "2026-02-01T10:00:00.000Z", text: "Old note", service: null, team: null },
  ],
});
const lead = kpiAnswer("lead_time", { value: 30, change: { absolute: 3, percent: 11, significant: null, p_value: null, test: null }, previous: { window: { from: "", to: "" }, value: 27, sample_size: 40 } });

describe("weekly digest model and text", () => {
  it("calls out the biggest mover with its drivers and one prompt, then a row per KPI", () => {
    const text = renderDigestText(buildDigestModel(input({ answers: [lead, cfr] })));
    expect(text).toContain("Weekly digest: Payments, 23–29 Mar 2026 (UTC)");
    expect(text).toContain("Biggest mover: Change failure rate 14.3 % (+6.1 pp week over week, was 8.2 %; significant: fisher_exact, p = 0.004, Holm-adjusted 0.004 over 1 tests, n = 30 → 20)");
    expect(text).toContain("driver: checkout +4.2 pp (69 % of the change) — 5 of 7 failures after Friday deploys");
    expect(text).toContain("ask: Friday deploys failed 3× more often: did the release train change?");
    expect(text).toMatch(/Change failure rate\s+14\.3 %\s+20\s+\+6\.1 pp\s+\S+ pp\s+medium\s+warn\s+▁/);
    expect(text).toContain("Annotations this week:\n  Thu 26 Mar  Release train moved to Fridays (checkout)");
    expect(text).not.toContain("Old note");
  });

  it("compares with the mean of the four weeks before the reported one", () => {
    const series = [10, 10, 10, 10, 10, 10, 10, 20, 20, 20, 20, 30].map((value, i) => {
      const start = to - (12 - i) * 7 * 86_400_000;
      return { from: new Date(start).toISOString(), to: new Date(start + 7 * 86_400_000).toISOString(), value, sample_size: 5 };
    });
    const model = buildDigestModel(input({ answers: [kpiAnswer("mttr", { value: 30, series })] }));
    expect(model.kpis[0]!.fourWeekAverage).toBe(20);
  });

  it("names no biggest mover when nothing moved beyond normal variation, and lists the standing breaches", () => {
    // Large moves, but neither survives the tests: no mover, whatever the size of the change.
    const noisy = kpiAnswer("mttr", { change: { absolute: 9, percent: 300, significant: false, p_value: 0.2, test: "welch_t_log" }, threshold: { status: "critical", warn: 4, critical: 8 } });
    const flat = kpiAnswer("lead_time", { change: { absolute: 0, percent: 0, significant: false, p_value: 0.9, test: "mann_whitney_u" } });
    const model = buildDigestModel(input({ answers: [noisy, flat] }));
    expect(model.quiet).toBe(true);
    expect(model.biggestMover).toBeNull();
    const text = renderDigestText(model);
    expect(text).toContain("No KPI of Payments moved beyond normal week-to-week variation (2 KPIs, changes and 12-week trends tested, Holm-corrected).");
    expect(text).toContain("standing breach: Mean time to recovery 12 h is critical (line 8 h)");
    expect(text).not.toContain("Biggest mover");
  });

  it("picks the smallest Holm-adjusted p-value; one just under α alone among several tests is not enough", () => {
    const withP = (metric: "mttr" | "lead_time" | "change_failure_rate", p: number) => kpiAnswer(metric, { change: { absolute: 1, percent: 10, significant: p < 0.05, p_value: p, test: "t" } });
    // 0.03 × 3 tests = 0.09 after Holm: nothing moved.
    expect(buildDigestModel(input({ answers: [withP("mttr", 0.03), withP("lead_time", 0.5), withP("change_failure_rate", 0.6)] })).biggestMover).toBeNull();
    const model = buildDigestModel(input({ answers: [withP("mttr", 0.004), withP("lead_time", 0.001), withP("change_failure_rate", 0.6)] }));
    expect(model.biggestMover).toMatchObject({ basis: "change", pValue: 0.001, tests: 3 });
    expect(model.biggestMover!.answer.metric).toBe("lead_time");
    expect(model.biggestMover!.adjustedP).toBeCloseTo(0.003, 12);
  });

  it("says no data yet and which sources to connect instead of a digest of zeros", () => {
    const model = buildDigestModel(input({ answers: [], missingSources: ["GitHub (deployments, pull requests)", "PagerDuty (incidents)"] }));
    expect(renderDigestText(model)).toContain("No data yet for Payments: connect GitHub (deployments, pull requests), PagerDuty (incidents).");
    expect(JSON.stringify(digestBlocks(model).blocks)).toContain("No data yet for Payments: connect GitHub");
  });

  it("leaves out KPIs without any data and lists open reviews with the completed share", () => {
    const empty = kpiAnswer("coverage", { value: null, previous: { window: { from: "", to: "" }, value: null, sample_size: 0 }, series: [], change: { absolute: null, percent: null, significant: null, p_value: null, test: null } });
    const model = buildDigestModel(
      input({
        answers: [cfr, empty],
        reviews: [{ id: 1, title: "Card declines", severity: "SEV1", ownerSlackId: "U0ADA", ownerName: null, dueAtMs: Date.parse("2026-03-25T17:00:00Z"), overdue: true, url: null }],
        reviewCompletion: { incidents: 4, done: 3 },
      }),
    );
    expect(model.kpis.map((k) => k.answer.metric)).toEqual(["change_failure_rate"]);
    const text = renderDigestText(model);
    expect(text).toContain("Post-incident reviews: 1 open, 1 overdue\n  OVERDUE [SEV1] Card declines — <@U0ADA>, due Wed 25 Mar");
    expect(text).toContain("Reviews completed: 3 of 4 SEV1/SEV2 incidents in the last 90 days (75 %).");
  });

  it("renders Block Kit within Slack's limits for all twelve KPIs", () => {
    const answers = (["deployment_frequency", "lead_time", "change_failure_rate", "mttr", "mtta", "rework_rate", "uptime", "latency_p95", "error_rate", "coverage", "tech_debt_ratio", "cost_per_user"] as const).map((m) => kpiAnswer(m));
    const { text, blocks } = digestBlocks(buildDigestModel(input({ answers })));
    expect(text).toBe("Weekly digest: Payments, 23–29 Mar 2026");
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Weekly digest: Payments" } });
    for (const b of blocks) if (b.type === "section") expect((b.text as { text: string }).text.length).toBeLessThanOrEqual(3000);
  });
});

describe("digest table: sample sizes, thin samples, normal variation", () => {
  const thin = kpiAnswer("mttr", { value: 3, sample_size: 2, change: { absolute: 1, percent: 50, significant: false, p_value: 0.4, test: "Welch t on log durations" } });
  const solid = kpiAnswer("lead_time", { value: 30, sample_size: 40, change: { absolute: 3, percent: 11, significant: true, p_value: 0.01, test: "Mann–Whitney U" } });
  const level = kpiAnswer("coverage", { value: 80, sample_size: 2, change: { absolute: 0.5, percent: 0.6, significant: null, p_value: null, test: null } });

  it("prints n per KPI, marks thin flow samples and puts changes within normal variation in parentheses", () => {
    const text = renderDigestText(buildDigestModel(input({ answers: [thin, solid, level], minSampleSize: 5 })));
    expect(text).toMatch(/KPI\s+This week\s+n\s+WoW/);
    expect(text).toMatch(/Mean time to recovery\s+3 h\s+2\*\s+\(\+50 %\)/);
    expect(text).toMatch(/Lead time for changes\s+30 h\s+40\s+\+11 %/);
    expect(text).toMatch(/Code coverage\s+80 %\s+2\s+\+0\.5 pp/); // a level counts repositories: never thin
    expect(text).toContain("* fewer than 5 samples this week: too few to read much into the change.");
    expect(text).toContain("(…) within normal week-to-week variation.");
  });

  it("says the same in Block Kit", () => {
    const { blocks } = digestBlocks(buildDigestModel(input({ answers: [thin, solid], minSampleSize: 5 })));
    const all = JSON.stringify(blocks);
    expect(all).toContain("*Mean time to recovery* 3 h · n=2 (thin) · _(WoW +50 %)_");
    expect(all).toContain("*Lead time for changes* 30 h · n=40 · WoW +11 %");
    expect(all).toContain("thin: fewer than 5 samples this week");
  });

  it("leaves the footnotes out when nothing needs them", () => {
    const text = renderDigestText(buildDigestModel(input({ answers: [solid] })));
    expect(text).not.toContain("fewer than");
    expect(text).not.toContain("normal week-to-week variation");
  });
});

describe("digest formatting", () => {
  it("formats values in their units and changes as points or percent", () => {
    expect(formatValue(0.5, "hours")).toBe("30 min");
    expect(formatValue(30, "hours")).toBe("30 h");
    expect(formatValue(96, "hours")).toBe("4 d");
    expect(formatValue(99.954, "percent")).toBe("99.95 %");
    expect(formatValue(99.9, "percent")).toBe("99.9 %");
    expect(formatValue(100, "percent")).toBe("100 %");
    expect(formatValue(null, "ms")).toBe("N/A");
    expect(formatValue(2.345, "per_day")).toBe("2.3/day");
    expect(formatChange(-1.25, -10, "percent")).toBe("−1.3 pp");
    expect(formatChange(3, 11.4, "hours")).toBe("+11 %");
  });

  it("draws a sparkline with gaps for weeks without data", () => {
    expect(sparkline([1, 2, null, 8])).toBe("▁▂ █");
    expect(sparkline([5, 5])).toBe("▄▄");
    expect(sparkline([null])).toBe("");
  });

  it("marks a week still in progress in the sparkline and leaves it out of the scale", () => {
    expect(sparkline([1, 8, 0.1], [false, false, true])).toBe("▁█·");
    const week = (from: string, to: string, value: number) => ({ from, to, value });
    expect(seriesSparkline([week("2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", 1), week("2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z", 8), week("2026-11-30T00:00:00Z", "2026-12-01T09:00:00Z", 0.1)])).toBe("▁█·");
  });
});

describe("failed deployment recovery time in the digest", () => {
  it("stands beside MTTR, in the text and the Slack message, when change-caused incidents resolved", () => {
    const mttr = kpiAnswer("mttr", { value: 3.5, sample_size: 6, stats: { change_caused_count: 2, failed_deployment_recovery_mean_hours: 5.25 } });
    const model = buildDigestModel(input({ answers: [cfr, mttr] }));
    const line = "Failed deployment recovery time: 5.3 h mean over 2 change-caused incidents (MTTR 3.5 h over 6).";
    expect(renderDigestText(model)).toContain(line);
    expect(JSON.stringify(digestBlocks(model).blocks)).toContain(line);
    const none = buildDigestModel(input({ answers: [cfr, kpiAnswer("mttr", { stats: { change_caused_count: 0 } })] }));
    expect(renderDigestText(none)).not.toContain("Failed deployment recovery time");
  });
});
