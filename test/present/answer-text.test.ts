import { noDataBlocks } from "../../src/present/blocks/errors.js";
import { scopeText } from "../../src/present/blocks/answer.js";
import { describe, expect, it } from "vitest";
import type { MetricId } from "../../src/domain/metric-ids.js";
import { renderQuestionResult } from "../../src/present/answer-text.js";
import { formatSigned, formatStat, trendWord } from "../../src/present/format.js";
import type { KpiAnswer } from "../../src/domain/answer.js";
import { HELP_TEXT } from "../../src/query/ask.js";
import { kpiAnswer } from "../support/answer.js";

// The answer these tests render: change failure rate style figures for team payments, every part filled in.
const rendered: Partial<KpiAnswer> = {
  window: { from: "2026-04-04T09:00:00.000Z", to: "2026-05-04T09:00:00.000Z", label: "last 30 days" },
  scope: { kind: "team", id: "payments" },
  value: 12.5,
  sample_size: 48,
  stats: { count: 48, failed: 6 },
  previous: { window: { from: "2026-03-05T09:00:00.000Z", to: "2026-04-04T09:00:00.000Z" }, value: 8, sample_size: 50 },
  change: { absolute: 4.5, percent: 56.25, significant: null, p_value: null, test: null },
  tier: "medium",
  interval: null,
  trend: { test: "mann_kendall", n: 0, p_value: null, significant: null, slope_per_week: null, direction: "none" },
  findings: [],
  threshold: { status: "warn", warn: 10, critical: 20 },
  series: [5, 6, null, 8, 12].map((value, i) => ({ from: `2026-03-0${i + 1}T00:00:00.000Z`, to: `2026-03-0${i + 2}T00:00:00.000Z`, value, sample_size: 4 })),
  drivers: [{ kind: "service", label: "checkout", contribution: 3.6, share: 80, previous: 6, current: 14, detail: "mix +0.4 pp, rate +3.2 pp" }],
  prompts: ["3 of 4 failures followed Friday deploys of checkout: is the release train too late in the week?"],
  annotations: [{ at: "2026-04-20T10:00:00.000Z", text: "release train moved to Fridays", service: "checkout", team: null }],
  definition: "6 of 48 deployments caused a failure",
  notes: ["2 incidents on unmapped services are not attributed"],
};

describe("renderQuestionResult", () => {
  it("renders a metric answer: value with unit, trend with arrow and wording, tier, threshold, sparkline, drivers, prompts, annotations, notes", () => {
    const significant = kpiAnswer("change_failure_rate", rendered, {
      change: { absolute: 4.5, percent: 56.25, significant: true, p_value: 0.0123, test: "fisher_exact" },
      interval: { low: 5.8, high: 24.7, level: 0.95 },
      trend: { test: "mann_kendall", n: 4, p_value: 0.31, significant: false, slope_per_week: 1.5, direction: "none" },
    });
    const text = renderQuestionResult({ kind: "answer", answer: significant }, { zone: "Europe/Berlin" });
    expect(text.split("\n")).toEqual([
      "Change failure rate — team payments, last 30 days (Apr 4–May 4, 2026)",
      "  12.5 %   ↑ +4.5 pp vs previous period (8 %): worsened, significant (fisher_exact, p = 0.01)",
      "  tier: medium · threshold: warn (warn 10 %, critical 20 %) · sample: n = 48 deployments (previous 50) · 95 % interval 5.8 % – 24.7 %",
      "  count 48 · failed 6",
      "  5 weeks: ▁▂ ▄█  (latest full week with data: 12 %; no sustained trend (Mann–Kendall p = 0.31))",
      "  6 of 48 deployments caused a failure",
      "Why it moved:",
      "  - service checkout: +3.6 pp (80 % of the change) 6 % → 14 % — mix +0.4 pp, rate +3.2 pp",
      "Questions to ask:",
      "  - 3 of 4 failures followed Friday deploys of checkout: is the release train too late in the week?",
      "Annotations in the window (a possible cause only when a finding above names it):",
      "  - 2026-04-20 (checkout): release train moved to Fridays",
      "Notes:",
      "  - 2 incidents on unmapped services are not attributed",
    ]);
  });

  it("words a rise as improved when lower is worse (uptime) and a fall in lead time as improved", () => {
    const uptime = renderQuestionResult({ kind: "answer", answer: kpiAnswer("uptime", rendered, { value: 99.95, previous: { window: kpiAnswer("uptime", rendered).previous.window, value: 99.5, sample_size: 10 }, change: { absolute: 0.45, percent: 0.45, significant: null, p_value: null, test: null } }) }, { zone: "UTC" });
    expect(uptime).toContain("↑ +0.5 pp vs previous period (99.5 %): improved");
    const lead = renderQuestionResult({ kind: "answer", answer: kpiAnswer("lead_time", rendered, { value: 20, previous: { window: kpiAnswer("lead_time", rendered).previous.window, value: 30, sample_size: 10 }, change: { absolute: -10, percent: -33.3, significant: null, p_value: null, test: null } }) }, { zone: "UTC" });
    expect(lead).toContain("↓ −33 % vs previous period (30 h): improved");
    expect(lead).toContain("sample: n = 48 changes (previous 10)");
    // No test applied (the factory's change carries none): the text says so rather than imply one.
    expect(lead).toContain("improved, no test applies to this metric");
    const noise = renderQuestionResult({ kind: "answer", answer: kpiAnswer("lead_time", rendered, { change: { absolute: -10, percent: -33.3, significant: false, p_value: 0.41, test: "mann_whitney_u" } }) }, { zone: "UTC" });
    expect(noise).toContain("improved, within normal variation (mann_whitney_u, p = 0.41)");
  });

  it("calls a change that rounds to nothing unchanged, with a flat arrow", () => {
    const text = renderQuestionResult({ kind: "answer", answer: kpiAnswer("error_rate", rendered, { value: 0.3, change: { absolute: -0.004, percent: -1.3, significant: null, p_value: null, test: null } }) }, { zone: "UTC" });
    expect(text).toContain("  0.3 %   → ±0 pp vs previous period (8 %): unchanged");
  });

  it("answers a window with no samples as Slack does: no data, and how to connect a source", () => {
    const empty = kpiAnswer("mttr", rendered, { value: null, sample_size: 0, change: { absolute: null, percent: null, significant: null, p_value: null, test: null }, drivers: [], prompts: [], annotations: [], notes: [], series: [], stats: {}, tier: null, threshold: { status: null, warn: null, critical: null } });
    const text = renderQuestionResult({ kind: "answer", answer: empty }, { zone: "UTC" });
    expect(text).toBe(
      [
        `No data for Mean time to recovery for ${scopeText(empty)} in ${empty.window.label} — here is how to connect a source:`,
        "incidents come from PagerDuty: set `PAGERDUTY_TOKEN` and `services[].pagerduty.service_id`, then `vitals sync` (or `/kpi sync`).",
        '`vitals ask "explain mttr"` shows what the metric needs.',
      ].join("\n"),
    );
    // The Slack answer says the same.
    expect(JSON.stringify(noDataBlocks(empty).blocks)).toContain(`No data for *Mean time to recovery for ${scopeText(empty)} in ${empty.window.label}* — here is how to connect a source:\\nincidents come from PagerDuty`);
  });

  it("names both forges, GitHub and GitLab, where a metric needs deployments", () => {
    const none = { value: null, sample_size: 0, change: { absolute: null, percent: null, significant: null, p_value: null, test: null }, drivers: [], prompts: [], annotations: [], notes: [], series: [], stats: {}, tier: null, threshold: { status: null, warn: null, critical: null } };
    const empty = kpiAnswer("deployment_frequency", rendered, { ...none, value: 0 });
    const text = renderQuestionResult({ kind: "answer", answer: empty }, { zone: "UTC" });
    expect(text.split("\n")[1]).toBe(
      "deployments come from GitHub or GitLab: set `GITHUB_TOKEN` and `services[].github.repo` (GitHub) or `GITLAB_TOKEN` and `services[].gitlab.project` (GitLab) in vitals.yml, then `vitals sync` (or `/kpi sync`).",
    );
    expect(JSON.stringify(noDataBlocks(empty).blocks)).toContain("deployments come from GitHub or GitLab: set `GITHUB_TOKEN` and `services[].github.repo` (GitHub) or `GITLAB_TOKEN` and `services[].gitlab.project` (GitLab)");
    for (const metric of ["lead_time", "change_failure_rate", "rework_rate"] as const) {
      const lines = renderQuestionResult({ kind: "answer", answer: kpiAnswer(metric, rendered, none) }, { zone: "UTC" });
      expect(lines).toContain("GitHub or GitLab");
      expect(lines).toContain("`GITLAB_TOKEN`");
      expect(JSON.stringify(noDataBlocks(kpiAnswer(metric, rendered, none)).blocks)).toContain("`GITLAB_TOKEN`");
    }
  });

  it("renders a comparison against a second window", () => {
    const compared = kpiAnswer("deployment_frequency", rendered, { value: 2, sample_size: 60, window: { from: "2025-10-01T00:00:00.000Z", to: "2026-01-01T00:00:00.000Z", label: "q4 2025" } });
    const text = renderQuestionResult({ kind: "answer", answer: kpiAnswer("deployment_frequency", rendered, { value: 3 }), compared }, { zone: "UTC" });
    expect(text).toContain("Compared with q4 2025 (Oct 1–Dec 31, 2025): 2/day from 60 deployments");
    expect(text).toContain("last 30 days vs q4 2025: ↑ +50 %, improved");
  });

  it("renders the summary as one line per key metric", () => {
    const metrics: MetricId[] = ["deployment_frequency", "lead_time", "change_failure_rate", "mttr"];
    const text = renderQuestionResult({ kind: "summary", answers: metrics.map((m) => kpiAnswer(m, rendered)) }, { zone: "UTC" });
    const lines = text.split("\n");
    expect(lines[0]).toBe("DORA summary — team payments, last 30 days (Apr 4–May 4, 2026)");
    expect(lines.slice(1, 5).map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(["Deployment frequency", "Lead time for changes", "Change failure rate", "Mean time to recovery"]);
    expect(lines[3]).toContain("↑ +4.5 pp worsened");
    expect(lines[1]).toContain("↑ +56 % improved");
  });

  it("renders help and explanations", () => {
    expect(renderQuestionResult({ kind: "help", text: HELP_TEXT }, { zone: "UTC" })).toContain("<metric> [window] [for <team|service>] [vs <window>]");
    const text = renderQuestionResult(
      {
        kind: "explain",
        explanation: {
          metric: "mtta", label: "Mean time to acknowledge", unit: "hours", direction: "higher_is_worse",
          definition: "D", formula: "F", tiers: "none",
          basis: [{ source: "METRICS.md", text: "a" }, { source: "DORA", text: "b" }],
          settings: [], thresholds: [], coverage: ["3 incidents stored"],
          methods: { attribution: "A", test: "T", interval: "I" },
        },
      },
      { zone: "UTC" },
    );
    expect(text.split("\n")).toEqual([
      "Mean time to acknowledge (mtta, hours, higher is worse)",
      "Definition: D",
      "Formula: F",
      "Tiers: none",
      "Based on:",
      "  - docs/metrics.md: a",
      "  - DORA's published definition (docs/metrics.md is silent): b",
      "Thresholds:",
      "  - none configured",
      "Data coverage:",
      "  - 3 incidents stored",
      "Why it moved (attribution):",
      "  A",
      "Signal or noise (test):",
      "  T",
      "Interval: I",
    ]);
  });
});

describe("format helpers", () => {
  it("words trends by the metric's direction", () => {
    expect(trendWord(1, "higher_is_worse")).toBe("worsened");
    expect(trendWord(1, "lower_is_worse")).toBe("improved");
    expect(trendWord(0, "lower_is_worse")).toBe("unchanged");
    expect(trendWord(null, "lower_is_worse")).toBe("no comparison");
  });

  it("formats signed contributions and stats in the right unit", () => {
    expect(formatSigned(-2.25, "percent")).toBe("−2.3 pp");
    // Small parts of a decomposition stay visible rather than "−0 pp".
    expect(formatSigned(-0.0412, "percent")).toBe("−0.04 pp");
    expect(formatSigned(0.0031, "percent")).toBe("+0.003 pp");
    expect(formatSigned(-0.0042, "usd_per_user_month")).toBe("−$0.0042/user/mo");
    expect(formatSigned(30, "hours")).toBe("+30 h");
    expect(formatSigned(0.5, "hours")).toBe("+30 min");
    // What rounds to nothing has no direction (the MTTA part that printed "−0 min").
    expect(formatSigned(-0.004, "hours")).toBe("±0 min");
    expect(formatSigned(-0.0002, "percent")).toBe("±0 pp");
    expect(formatSigned(0, "per_day")).toBe("±0/day");
    expect(formatStat("median", 1.5, "lead_time")).toBe("1.5 h");
    expect(formatStat("open_count", 3, "mttr")).toBe("3");
    expect(formatStat("excluded", 2, "lead_time")).toBe("2");
    expect(formatStat("pickup_hours", 72, "lead_time")).toBe("3 d");
    expect(formatStat("deploy_success_rate", 97.5, "deployment_frequency")).toBe("97.5 %");
  });
});
