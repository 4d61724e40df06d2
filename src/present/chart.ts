import { Resvg } from "@resvg/resvg-wasm";
import { DateTime } from "luxon";
import type { Direction, Unit } from "../domain/metric-ids.js";
import { formatValue } from "./digest-format.js";

// The digest's trend chart: one small panel per KPI over 12 weeks, thresholds drawn as bands
// (amber = warn, red = critical), annotations as dashed markers. The SVG is built here as a string
// (pure, testable); rasterising needs resvg's wasm initialised once by the caller (src/jobs/chart-png.ts)
// and a font buffer, because wasm cannot see system fonts.

export interface ChartPanel {
  readonly label: string;
  readonly unit: Unit;
  readonly direction: Direction;
  /** Weekly points, oldest first. */
  readonly points: readonly { readonly fromMs: number; readonly value: number | null }[];
  readonly warn: number | null;
  readonly critical: number | null;
  readonly annotations: readonly { readonly atMs: number; readonly text: string }[];
}

export interface ChartSpec {
  readonly title: string;
  readonly panels: readonly ChartPanel[];
  /** Time zone for the date labels (the team's); default UTC. */
  readonly zone?: string;
}

const COLUMNS = 3;
const PANEL_W = 300;
const PANEL_H = 170;
const PAD = { top: 28, right: 12, bottom: 22, left: 52 };
const TITLE_H = 36;
export const FONT_FAMILY = "DejaVu Sans";

export function chartSize(panelCount: number): { width: number; height: number } {
  const rows = Math.max(1, Math.ceil(panelCount / COLUMNS));
  return { width: COLUMNS * PANEL_W, height: TITLE_H + rows * PANEL_H };
}

export function renderChartSvg(spec: ChartSpec): string {
  const { width, height } = chartSize(spec.panels.length);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="16" font-weight="bold" fill="#1d1c1d">${escapeXml(spec.title)}</text>`,
  ];
  spec.panels.forEach((panel, index) => {
    const x = (index % COLUMNS) * PANEL_W;
    const y = TITLE_H + Math.floor(index / COLUMNS) * PANEL_H;
    parts.push(`<g transform="translate(${x},${y})">${renderPanel(panel, spec.zone ?? "UTC")}</g>`);
  });
  if (spec.panels.length === 0) parts.push(`<text x="12" y="${TITLE_H + 40}" font-size="13" fill="#616061">No data yet</text>`);
  parts.push(`</svg>`);
  return parts.join("\n");
}

function renderPanel(panel: ChartPanel, zone: string): string {
  const plotW = PANEL_W - PAD.left - PAD.right;
  const plotH = PANEL_H - PAD.top - PAD.bottom;
  const values = panel.points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const domain = [...values, ...(panel.warn !== null ? [panel.warn] : []), ...(panel.critical !== null ? [panel.critical] : [])];
  let lo = domain.length ? Math.min(...domain) : 0;
  let hi = domain.length ? Math.max(...domain) : 1;
  if (hi === lo) {
    hi += Math.abs(hi) * 0.1 || 1;
    lo -= Math.abs(lo) * 0.1 || 1;
  }
  const span = hi - lo;
  hi += span * 0.1;
  lo = Math.max(lo - span * 0.1, Math.min(0, lo));
  // A percentage cannot leave 0–100: keep the padding inside it (uptime near 100 %).
  if (panel.unit === "percent") hi = Math.min(hi, Math.max(100, ...domain));
  const n = panel.points.length;
  const xAt = (i: number) => PAD.left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const yAt = (v: number) => PAD.top + plotH - ((clamp(v, lo, hi) - lo) / (hi - lo)) * plotH;
  const out: string[] = [];
  out.push(`<text x="${PAD.left}" y="16" font-size="12" font-weight="bold" fill="#1d1c1d">${escapeXml(panel.label)}</text>`);
  out.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="#f8f8f8" stroke="#dddddd"/>`);

  // Bands: the bad side of each threshold.
  const band = (from: number, to: number, fill: string, cls: string) => {
    const y1 = yAt(Math.max(from, to));
    const y2 = yAt(Math.min(from, to));
    if (y2 - y1 > 0) out.push(`<rect class="${cls}" x="${PAD.left}" y="${fmt(y1)}" width="${plotW}" height="${fmt(y2 - y1)}" fill="${fill}" fill-opacity="0.25"/>`);
  };
  const worse = panel.direction === "higher_is_worse" ? hi : lo;
  if (panel.warn !== null) band(panel.warn, panel.critical ?? worse, "#ecb22e", "band-warn");
  if (panel.critical !== null) band(panel.critical, worse, "#e01e5a", "band-critical");

  // Axis labels: top and bottom of the domain.
  out.push(`<text x="${PAD.left - 4}" y="${PAD.top + 4}" font-size="9" text-anchor="end" fill="#616061">${escapeXml(compact(hi, panel.unit))}</text>`);
  out.push(`<text x="${PAD.left - 4}" y="${PAD.top + plotH}" font-size="9" text-anchor="end" fill="#616061">${escapeXml(compact(lo, panel.unit))}</text>`);
  if (n > 0) {
    out.push(`<text x="${PAD.left}" y="${PANEL_H - 6}" font-size="9" fill="#616061">${shortDate(panel.points[0]!.fromMs, zone)}</text>`);
    out.push(`<text x="${PAD.left + plotW}" y="${PANEL_H - 6}" font-size="9" text-anchor="end" fill="#616061">${shortDate(panel.points[n - 1]!.fromMs, zone)}</text>`);
  }

  // Annotations: a dashed marker in the week they fall in.
  const first = panel.points[0]?.fromMs;
  const weekMs = 7 * 86_400_000;
  for (const a of panel.annotations) {
    if (first === undefined) break;
    const index = (a.atMs - first) / weekMs;
    if (index < 0 || index > n) continue;
    const x = xAt(Math.min(index, n - 1));
    out.push(`<line class="annotation" x1="${fmt(x)}" y1="${PAD.top}" x2="${fmt(x)}" y2="${PAD.top + plotH}" stroke="#1264a3" stroke-dasharray="3,3"><title>${escapeXml(a.text)}</title></line>`);
    out.push(`<path d="M${fmt(x - 4)},${PAD.top - 6} L${fmt(x + 4)},${PAD.top - 6} L${fmt(x)},${PAD.top} Z" fill="#1264a3"/>`);
  }

  // The series: a line through consecutive points, a dot on each.
  const segments: string[] = [];
  let current: string[] = [];
  panel.points.forEach((p, i) => {
    if (p.value === null || !Number.isFinite(p.value)) {
      if (current.length) segments.push(current.join(" "));
      current = [];
      return;
    }
    current.push(`${current.length ? "L" : "M"}${fmt(xAt(i))},${fmt(yAt(p.value))}`);
  });
  if (current.length) segments.push(current.join(" "));
  for (const d of segments) out.push(`<path class="series" d="${d}" fill="none" stroke="#2eb67d" stroke-width="2.5"/>`);
  panel.points.forEach((p, i) => {
    if (p.value !== null && Number.isFinite(p.value)) out.push(`<circle cx="${fmt(xAt(i))}" cy="${fmt(yAt(p.value))}" r="2.5" fill="#1d1c1d"/>`);
  });
  const last = [...panel.points].reverse().find((p) => p.value !== null);
  if (last) {
    out.push(`<text x="${PAD.left + plotW}" y="16" font-size="12" text-anchor="end" fill="#1d1c1d">${escapeXml(compact(last.value, panel.unit))}</text>`);
  }
  return out.join("");
}

/** Rasterise with resvg; the wasm module must be initialised (see src/jobs/chart-png.ts). */
export function rasteriseSvg(svg: string, fontBuffers: readonly Uint8Array[]): Uint8Array {
  const resvg = new Resvg(svg, {
    font: { fontBuffers: [...fontBuffers], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    fitTo: { mode: "zoom", value: 2 },
    background: "#ffffff",
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}

function shortDate(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("d LLL");
}

/** Axis and headline labels: the unit's short form, so labels fit the panel. */
function compact(value: number | null, unit: Unit): string {
  return formatValue(value, unit).replace("/user/mo", "");
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function fmt(n: number): string {
  return n.toFixed(1);
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}
