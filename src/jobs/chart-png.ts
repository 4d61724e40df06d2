import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { initWasm } from "@resvg/resvg-wasm";
import { rasteriseSvg } from "../present/chart-render.js";

// resvg's wasm module and the DejaVu font are loaded once per process (initWasm throws if called
// twice). Both come from npm packages, so nothing is downloaded at run time and no system font is needed.

const require = createRequire(import.meta.url);
let ready: Promise<Uint8Array[]> | undefined;

function load(): Promise<Uint8Array[]> {
  ready ??= (async () => {
    const wasm = await readFile(require.resolve("@resvg/resvg-wasm/index_bg.wasm"));
    await initWasm(wasm);
    const fontDir = require.resolve("dejavu-fonts-ttf/package.json").replace(/package\.json$/, "ttf/");
    const fonts = await Promise.all(["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) => readFile(fontDir + f)));
    return fonts.map((f) => new Uint8Array(f));
  })();
  return ready;
}

export async function svgToPng(svg: string): Promise<Uint8Array> {
  return rasteriseSvg(svg, await load());
}
