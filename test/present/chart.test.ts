import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { chartPng, chartSvg, svgToPng } from "../../src/jobs/chart-png.js";
import { digestChart, type ChartPanel, type ChartSpec } from "../../src/present/chart.js";
import { renderChartSvg } from "../../src/present/chart-render.js";
import { niceTicks, panelScale } from "../../src/present/chart-scale.js";
import { COLOURS, headerLine, LEGEND, markerLabels, vegaLiteSpec } from "../../src/present/chart-vega.js";
import { buildDigestModel } from "../../src/present/digest-model.js";
import { kpiAnswer } from "../support/answer.js";
import { countPixels, decodePng } from "./png.js";

const WEEK = 7 * 86_400_000;
const start = Date.parse("2026-01-05T00:00:00Z");
const panel = (overrides: Partial<ChartPanel> = {}): ChartPanel => ({
  label: "Change failure rate",
  unit: "percent",
  direction: "higher_is_worse",
  points: Array.from({ length: 12 }, (_, i) => ({ fromMs: start + i * WEEK, value: i === 4 ? null : 4 + i, partial: false, reported: i === 11 })),
  warn: 10,
  critical: 15,
  baseline: 12,
  header: { value: "15 %", change: "+1 pp", trend: "worse", muted: false, sampleSize: 20, thin: false },
  ...overrides,
});
const chart = (overrides: Partial<ChartSpec> = {}): ChartSpec => ({
  title: "Payments: 12 weeks of KPIs to 29 Mar 2026",
  subtitle: "Reported week 23–29 Mar 2026 (UTC)",
  zone: "UTC",
  panels: [panel()],
  annotations: [
    { number: 1, atMs: start + 9 * WEEK + 86_400_000, text: "Tue 10 Mar  Release train moved to Fridays (checkout)" },
    { number: 2, atMs: start + 9 * WEEK + 2 * 86_400_000, text: "Wed 11 Mar  Review rotation paused" },
  ],
  ...overrides,
});

/** The texts a reader can see in a Vega SVG: drawn, with a size, not transparent. */
function visibleTexts(svg: string): string[] {
  const out: string[] = [];
  for (const m of svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)) {
    const attrs = m[1]!;
    const size = Number(/font-size="([\d.]+)/.exec(attrs)?.[1] ?? 0);
    // White text is the markers' halo (or invisible on the white background): it does not count.
    const hidden = /fill="(none|transparent|#fff|#ffffff|white)"|opacity="0"|display="none"/i.test(attrs);
    if (size >= 8 && !hidden) out.push(m[2]!.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&"));
  }
  return out;
}

describe("chart y-scale", () => {
  it("gives 3–5 round ticks in one unit", () => {
    for (const [lo, hi] of [[0, 1], [0, 86.5], [0, 0.67], [97.9, 100], [0, 103], [0, 3.3], [12.3, 12.3], [0, 0.0004]] as const) {
      const { ticks } = niceTicks(lo, hi);
      expect(ticks.length, `${lo}–${hi}`).toBeGreaterThanOrEqual(3);
      expect(ticks.length, `${lo}–${hi}`).toBeLessThanOrEqual(5);
      expect(ticks[0]).toBeLessThanOrEqual(lo);
      expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(hi);
    }
    expect(niceTicks(0, 86.5).ticks).toEqual([0, 25, 50, 75, 100]);
  });

  it("starts counts and rates at zero, even when the data only wobbles near the top", () => {
    const debt = panelScale(panel({ warn: null, critical: null, baseline: 5.3, points: [5.2, 5.5, 5.3].map((value, i) => ({ fromMs: start + i * WEEK, value, partial: false, reported: false })) }));
    expect(debt.ticks[0]).toBe(0);
    expect(debt.notes).toEqual([]);
  });

  it("leaves zero when the bands would be squashed into the top tenth, and says so", () => {
    const uptime = panelScale(panel({ direction: "lower_is_worse", warn: 99.9, critical: 99.5, baseline: 99.8, points: [100, 98.8, 99.95].map((value, i) => ({ fromMs: start + i * WEEK, value, partial: false, reported: false })) }));
    expect(uptime.ticks[0]).toBeGreaterThan(98);
    expect(uptime.ticks[uptime.ticks.length - 1]).toBe(100);
    expect(uptime.notes[0]).toMatch(/^axis starts at 98\.5 %, not zero$/);
  });

  it("keeps a far threshold off the scale instead of flattening the line, and uses one unit for durations", () => {
    const points = [30, 42, 35].map((value, i) => ({ fromMs: start + i * WEEK, value, partial: false, reported: false }));
    const lead = panelScale(panel({ unit: "hours", warn: 48, critical: 168, baseline: 36, points }));
    expect(lead.unit.suffix).toBe(" h");
    expect(lead.ticks[lead.ticks.length - 1]).toBeLessThan(100);
    expect(lead.notes).toEqual(["critical 168 h: off the scale"]);
    const mtta = panelScale(panel({ unit: "hours", warn: null, critical: null, baseline: null, points: points.map((p) => ({ ...p, value: p.value / 60 })) }));
    expect(mtta.unit.suffix).toBe(" min");
  });
});

describe("chart spec (Vega-Lite)", () => {
  const schema = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("vega-lite/vega-lite-schema.json"), "utf8")) as object;

  it("is a valid Vega-Lite spec", () => {
    const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
    const ok = validate(vegaLiteSpec(chart({ panels: [panel(), panel({ label: "Uptime", direction: "lower_is_worse", warn: 99.9, critical: 99.5 })] })));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("has one shared colour legend for the bands, the baseline and the annotations", () => {
    const spec = vegaLiteSpec(chart()) as unknown as { resolve: unknown; vconcat: [{ concat: { layer: { encoding?: { color?: { scale?: { domain: string[] } } } }[] }[] }] };
    expect(spec.resolve).toEqual({ scale: { color: "shared" }, legend: { color: "shared" } });
    const domains = spec.vconcat[0].concat[0]!.layer.flatMap((l) => (l.encoding?.color?.scale ? [l.encoding.color.scale.domain] : []));
    expect(domains.length).toBeGreaterThan(0);
    for (const d of domains) expect(d).toEqual([LEGEND.warn, LEGEND.critical, LEGEND.baseline, LEGEND.annotation]);
  });

  it("draws gaps, a hollow partial week on a dashed line and the reported week in the direction colour", () => {
    const points = panel().points.map((p, i) => ({ ...p, partial: i === 11, reported: i === 10 }));
    const spec = vegaLiteSpec(chart({ panels: [panel({ points })] })) as unknown as { vconcat: [{ concat: { layer: { mark: { type: string; filled?: boolean; strokeDash?: number[]; color?: string }; data: { values: { x: number; segment?: number }[] } }[] }[] }] };
    const layers = spec.vconcat[0].concat[0]!.layer;
    const solid = layers.find((l) => l.mark.type === "line" && !l.mark.strokeDash)!;
    expect(new Set(solid.data.values.map((r) => r.segment)).size).toBe(2); // week 4 has no data
    expect(solid.data.values.map((r) => r.x)).not.toContain(11);
    const dashed = layers.find((l) => l.mark.type === "line" && l.mark.strokeDash)!;
    expect(dashed.data.values.map((r) => r.x)).toEqual([10, 11]);
    const hollow = layers.find((l) => l.mark.type === "point" && l.mark.filled === false)!;
    expect(hollow.data.values.map((r) => r.x)).toEqual([11]);
    const reported = layers.find((l) => l.mark.type === "point" && l.mark.color === COLOURS.worse)!;
    expect(reported.data.values.map((r) => r.x)).toEqual([10]);
  });

  it("numbers markers that share a week with one label", () => {
    const labels = markerLabels([
      { number: 1, atMs: 0, text: "a", x: 8.6 },
      { number: 2, atMs: 0, text: "b", x: 8.8 },
      { number: 3, atMs: 0, text: "c", x: 2 },
    ]);
    expect(labels).toEqual([
      { x: 2, label: "3" },
      { x: 8.6, label: "1,2" },
    ]);
  });
});

describe("chart SVG", () => {
  it("shows every annotation's number on the panel and its text under the grid", async () => {
    const spec = chart({ panels: [panel(), panel({ label: "Lead time for changes", unit: "hours", warn: 48, critical: 96 })] });
    const texts = visibleTexts(await chartSvg(spec));
    expect(spec.annotations.length).toBeGreaterThan(0);
    for (const a of spec.annotations) {
      expect(texts, `legend line of annotation ${a.number}`).toContain(a.text);
      expect(texts, `legend number of annotation ${a.number}`).toContain(String(a.number));
      expect(texts.filter((t) => t.split(",").includes(String(a.number))).length, `marker of annotation ${a.number} on each panel`).toBeGreaterThanOrEqual(spec.panels.length + 1);
    }
  });

  it("shows the legend, a header with the reported week's value and n, and unit-consistent tick labels", async () => {
    const texts = visibleTexts(await chartSvg(chart({ panels: [panel({ unit: "hours", label: "MTTR", warn: 4, critical: 12, header: { value: "N/A", change: null, trend: "unknown", muted: false, sampleSize: 0, thin: false } })] })));
    for (const entry of Object.values(LEGEND)) expect(texts).toContain(entry);
    expect(texts).toContain("N/A · no data this week · n=0");
    const ticks = texts.filter((t) => /^\d+(\.\d+)? (h|min|d)$/.test(t));
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(5);
    expect(new Set(ticks.map((t) => t.split(" ")[1])).size).toBe(1);
  });

  it("says when there is nothing to draw", async () => {
    expect(visibleTexts(await renderChartSvg(chart({ panels: [], annotations: [] })))).toContain("No data yet");
  });
});

describe("chart from the digest model", () => {
  const from = Date.parse("2026-03-23T00:00:00Z");
  const to = Date.parse("2026-03-30T00:00:00Z");
  const series = Array.from({ length: 12 }, (_, i) => {
    const s = to - (11 - i) * WEEK - WEEK;
    return { from: new Date(s).toISOString(), to: new Date(s + WEEK).toISOString(), value: i === 11 ? 3 : 10, sample_size: 5 };
  });
  const model = (significant: boolean | null) =>
    buildDigestModel({
      team: { id: "payments", name: "Payments" },
      zone: "UTC",
      fromMs: from,
      toMs: to,
      weekLabel: "23–29 Mar 2026",
      reviews: [],
      reviewCompletion: { incidents: 0, done: 0 },
      chartAnnotations: [
        { atMs: Date.parse("2026-03-26T10:00:00Z"), text: "Second", service: "checkout" },
        { atMs: Date.parse("2026-03-10T10:00:00Z"), text: "First" },
      ],
      minSampleSize: 5,
      answers: [kpiAnswer("mttr", { value: 3, sample_size: 2, series, change: { absolute: -7, percent: -70, significant, p_value: null, test: null } })],
    });

  it("uses the reported week's value, n and the text's change, coloured by direction", () => {
    const spec = digestChart(model(true));
    expect(spec.title).toBe("Payments: 12 weeks of KPIs to 29 Mar 2026");
    const p = spec.panels[0]!;
    expect(p.header).toMatchObject({ value: "3 h", change: "−70 %", trend: "better", muted: false, sampleSize: 2, thin: true });
    expect(headerLine(p)).toBe("3 h · −70 % vs last week · n=2*");
    expect(p.points.filter((x) => x.reported).map((x) => x.fromMs)).toEqual([from]);
    expect(spec.annotations.map((a) => [a.number, a.text])).toEqual([
      [1, "Tue 10 Mar  First"],
      [2, "Thu 26 Mar  Second (checkout)"],
    ]);
  });

  it("mutes a change within normal variation", () => {
    const p = digestChart(model(false)).panels[0]!;
    expect(p.header.muted).toBe(true);
    expect(headerLine(p)).toContain("(normal variation)");
  });
});

describe("chart PNG", () => {
  it("rasterises with the bundled DejaVu font: text, bands and the series are drawn", async () => {
    const image = decodePng(await chartPng(chart({ panels: [panel(), panel({ label: "MTTR", unit: "hours", warn: 4, critical: 12 })] })));
    expect(image.width).toBeGreaterThan(1000);
    const total = image.width * image.height;
    expect(countPixels(image, (r, g, b) => r < 245 || g < 245 || b < 245) / total).toBeGreaterThan(0.05);
    expect(countPixels(image, (r, g, b) => r > 230 && g < 210 && b < 220)).toBeGreaterThan(200); // critical band
    expect(countPixels(image, (r, g, b) => r < 60 && g < 60 && b < 60)).toBeGreaterThan(500); // series and text
    expect(countPixels(image, (r, g, b) => r < 40 && g > 80 && g < 120 && b > 140)).toBeGreaterThan(50); // annotation numbers
  });

  it("draws text with the bundled DejaVu font (wasm sees no system fonts)", async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="100%" height="100%" fill="#fff"/><text x="4" y="28" font-size="24" font-family="DejaVu Sans" fill="#000">Vitals</text></svg>`;
    const image = decodePng(await svgToPng(svg));
    expect(countPixels(image, (r, g, b) => r < 80 && g < 80 && b < 80)).toBeGreaterThan(300);
  });
});
