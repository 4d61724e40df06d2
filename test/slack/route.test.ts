import { describe, expect, it } from "vitest";
import { routeKpiText } from "../../src/slack/commands/route.js";
import { appSubcommands } from "../../src/app/start.js";
import { parseChannel, takeQuoted } from "../../src/slack/commands/args.js";
import { parseThresholdValue } from "../../src/slack/commands/threshold-value.js";
import type { KpiSubcommand } from "../../src/slack/kpi-subcommand.js";

const KPI_SUBCOMMANDS = appSubcommands();

const sub = (name: string): KpiSubcommand => ({ name, usage: name, summary: name, run: () => ({ text: name }) });

describe("routing /kpi text", () => {
  it("a trailing `public` posts in the channel and is not part of the question", () => {
    expect(routeKpiText("  mttr   last 30d PUBLIC ", KPI_SUBCOMMANDS)).toEqual({ text: "mttr last 30d", public: true, args: ["mttr", "last", "30d"] });
    expect(routeKpiText("publicity", KPI_SUBCOMMANDS).public).toBe(false);
  });

  it("matches whole subcommand names, longest first", () => {
    const subs = [sub("threshold set"), sub("threshold preview"), sub("sync")];
    expect(routeKpiText("threshold preview cfr warn 10", subs)).toMatchObject({ subcommand: { name: "threshold preview" }, args: ["cfr", "warn", "10"] });
    expect(routeKpiText("Threshold Set mttr", subs).subcommand?.name).toBe("threshold set");
    expect(routeKpiText("synchronise", subs).subcommand).toBeUndefined();
    expect(routeKpiText("threshold", subs).subcommand).toBeUndefined();
  });

  it("every registered subcommand has a distinct name and a usage starting with it", () => {
    const names = KPI_SUBCOMMANDS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of KPI_SUBCOMMANDS) expect(s.usage.startsWith(s.name)).toBe(true);
  });
});

describe("admin command arguments", () => {
  it("reads quoted text with straight or curly quotes", () => {
    expect(takeQuoted(' "froze deploys" for team x')).toEqual({ quoted: "froze deploys", rest: "for team x" });
    expect(takeQuoted("“new rota” at 2026-03-01")).toEqual({ quoted: "new rota", rest: "at 2026-03-01" });
    expect(takeQuoted("no quotes")).toBeUndefined();
  });

  it("reads channels as Slack escapes them, or bare ids", () => {
    expect(parseChannel("<#C0123ABCD|eng>")).toBe("C0123ABCD");
    expect(parseChannel("<#C0123ABCD>")).toBe("C0123ABCD");
    expect(parseChannel("C0123ABCD")).toBe("C0123ABCD");
    expect(parseChannel("#eng")).toBeUndefined();
  });

  it("reads threshold values in the metric's unit or with a natural suffix", () => {
    expect(parseThresholdValue("4h", "hours")).toBe(4);
    expect(parseThresholdValue("2d", "hours")).toBe(48);
    expect(parseThresholdValue("30m", "hours")).toBe(0.5);
    expect(parseThresholdValue("15%", "percent")).toBe(15);
    expect(parseThresholdValue("0.8s", "ms")).toBe(800);
    expect(parseThresholdValue("5/week", "per_day")).toBeCloseTo(5 / 7);
    expect(parseThresholdValue("4h", "percent")).toBeUndefined();
    expect(parseThresholdValue("soon", "hours")).toBeUndefined();
  });
});
