import { Resvg } from "@resvg/resvg-wasm";
import { parse, View } from "vega";
import { compile } from "vega-lite";
import type { ChartSpec } from "./chart.js";
import { FONT_FAMILY, vegaLiteSpec } from "./chart-vega.js";

// Chart spec → SVG (Vega-Lite compiled to Vega, rendered headless by a Vega View: no DOM, no canvas
// package; text widths are Vega's estimate) → PNG (resvg). Rasterising needs resvg's wasm
// initialised once by the caller (src/jobs/chart-png.ts) and the font buffers, because wasm sees no
// system fonts: the SVG names FONT_FAMILY, which is what those buffers hold.

export async function renderChartSvg(chart: ChartSpec): Promise<string> {
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
