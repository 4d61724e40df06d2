import { describe, expect, it } from "vitest";
import { svgToPng } from "../../src/jobs/chart-png.js";
import { chartSize, renderChartSvg, type ChartPanel } from "../../src/present/chart.js";
import { countPixels, decodePng } from "./png.js";

const WEEK = 7 * 86_400_000;
const start = Date.parse("2026-01-05T00:00:00Z");
const panel = (overrides: Partial<ChartPanel> = {}): ChartPanel => ({
  label: "Change failure rate",
  unit: "percent",
  direction: "higher_is_worse",
  points: Array.from({ length: 12 }, (_, i) => ({ fromMs: start + i * WEEK, value: i === 4 ? null : 4 + i })),
  warn: 10,
  critical: 15,
  annotations: [{ atMs: start + 9 * WEEK + 86_400_000, text: "Release train moved to Fridays" }],
  ...overrides,
});

describe("trend chart SVG", () => {
  it("draws the series, threshold bands and annotation markers for each KPI", () => {
    const svg = renderChartSvg({ title: "Payments <12 weeks>", panels: [panel(), panel({ label: "Uptime", unit: "percent", direction: "lower_is_worse", warn: 99.9, critical: 99.5, annotations: [], points: [{ fromMs: start, value: 99.95 }] })] });
    expect(svg).toContain("Payments &lt;12 weeks&gt;");
    expect(svg.match(/class="band-warn"/g)).toHaveLength(2);
    expect(svg.match(/class="band-critical"/g)).toHaveLength(2);
    expect(svg.match(/class="annotation"/g)).toHaveLength(1);
    expect(svg).toContain("<title>Release train moved to Fridays</title>");
    // A missing week breaks the line into two segments.
    expect(svg.match(/class="series"/g)).toHaveLength(3);
  });

  it("lays panels out three to a row", () => {
    expect(chartSize(12)).toEqual({ width: 900, height: 36 + 4 * 170 });
    expect(chartSize(0).height).toBeGreaterThan(36);
  });
});

describe("trend chart PNG", () => {
  it("rasterises to a valid, non-blank PNG with text, bands and the series in colour", async () => {
    const png = await svgToPng(renderChartSvg({ title: "Payments: 12-week trends", panels: [panel(), panel({ label: "MTTR", unit: "hours", warn: 4, critical: 12 })] }));
    const image = decodePng(png);
    expect(image.width).toBe(900 * 2);
    expect(image.height).toBe((36 + 170) * 2);
    const total = image.width * image.height;
    const nonWhite = countPixels(image, (r, g, b) => r < 245 || g < 245 || b < 245);
    expect(nonWhite / total).toBeGreaterThan(0.05);
    expect(countPixels(image, (r, g, b) => g > 150 && r < 100 && b < 150)).toBeGreaterThan(200); // series green #2eb67d
    expect(countPixels(image, (r, g, b) => r > 240 && g < 220 && b < 220)).toBeGreaterThan(200); // critical band
  });

  it("draws text with the bundled DejaVu font (wasm sees no system fonts)", async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="100%" height="100%" fill="#fff"/><text x="4" y="28" font-size="24" fill="#000">Vitals</text></svg>`;
    const image = decodePng(await svgToPng(svg));
    expect(countPixels(image, (r, g, b) => r < 80 && g < 80 && b < 80)).toBeGreaterThan(300);
  });
});
