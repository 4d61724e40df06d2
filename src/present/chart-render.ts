import { Resvg } from "@resvg/resvg-wasm";
import * as vega from "vega";
import { parse, View } from "vega";
import { compile } from "vega-lite";
import type { ChartSpec } from "./chart.js";
import { FONT_FAMILY, vegaLiteSpec } from "./chart-vega.js";
import type { TextWidth } from "./text-width.js";

// Chart spec → SVG (Vega-Lite compiled to Vega, rendered headless by a Vega View: no DOM, no canvas
// package; text widths measured from the fonts when given, else Vega's estimate) → PNG (resvg). Rasterising needs resvg's wasm
// initialised once by the caller (src/jobs/chart-png.ts) and the font buffers, because wasm sees no
// system fonts: the SVG names FONT_FAMILY, which is what those buffers hold.

interface TextItem {
  readonly fontSize?: number;
  readonly fontWeight?: string | number;
}

/** vega-scenegraph's text measurer: exported by vega at run time, absent from its typings. */
const textMetrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number; estimateWidth: (item: TextItem, text: unknown) => number } }).textMetrics;

export async function renderChartSvg(chart: ChartSpec, textWidth?: TextWidth): Promise<string> {
  // Vega truncates with `limit` by calling this on candidate strings, so it measures the text as given.
  textMetrics.width = textWidth
    ? (item, text) => textWidth(text == null ? "" : String(text).trim(), item.fontSize ?? 11, item.fontWeight === "bold" || Number(item.fontWeight) >= 600)
    : textMetrics.estimateWidth;
  const view = new View(parse(compile(vegaLiteSpec(chart)).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterise with resvg at 2× for Slack's retina previews; the wasm module must be initialised. */
export function rasteriseSvg(svg: string, fontBuffers: readonly Uint8Array[]): Uint8Array {
  const resvg = new Resvg(svg, {
    font: { fontBuffers: [...fontBuffers], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY, loadSystemFonts: false },
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
