import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { initWasm } from "@resvg/resvg-wasm";
import type { ChartSpec } from "../present/chart.js";
import { rasteriseSvg, renderChartSvg } from "../present/chart-render.js";
import { textWidthFrom, type TextWidth } from "../present/text-width.js";

// resvg's wasm module and the DejaVu font are loaded once per process (initWasm throws if called
// twice). Both come from npm packages, so nothing is downloaded at run time and no system font is needed.

const require = createRequire(import.meta.url);
interface Fonts {
  readonly buffers: Uint8Array[];
  readonly textWidth: TextWidth;
}

let ready: Promise<Fonts> | undefined;

function load(): Promise<Fonts> {
  ready ??= (async () => {
    const wasm = await readFile(require.resolve("@resvg/resvg-wasm/index_bg.wasm"));
    await initWasm(wasm);
    const fontDir = require.resolve("dejavu-fonts-ttf/package.json").replace(/package\.json$/, "ttf/");
    const fonts = await Promise.all(["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) => readFile(fontDir + f)));
    const buffers = fonts.map((f) => new Uint8Array(f));
    return { buffers, textWidth: textWidthFrom(buffers[0]!, buffers[1]!) };
  })();
  return ready;
}

export async function svgToPng(svg: string): Promise<Uint8Array> {
  return rasteriseSvg(svg, (await load()).buffers);
}

/** The chart's SVG laid out with the widths of the fonts it will be drawn with. */
export async function chartSvg(chart: ChartSpec): Promise<string> {
  return renderChartSvg(chart, (await load()).textWidth);
}

export async function chartPng(chart: ChartSpec): Promise<Uint8Array> {
  return svgToPng(await chartSvg(chart));
}
