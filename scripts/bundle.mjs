// The `vitals` command's start-up build (part of `npm run build`, so of `npm install`/`npm ci`):
// tsc's output in dist/src bundled by esbuild into dist/cli, one chunk per command plus shared ones.
// A command then reads a few files instead of ~200 modules (zod alone is ~95) and skips the
// CommonJS export scan of each package it imports. Only the pure-JavaScript libraries every command
// needs at start are bundled; the rest (Bolt, the source clients, the chart renderer, pino,
// better-sqlite3's native addon) stay ordinary imports, loaded by the commands that use them.
import { build } from "esbuild";
import { cpSync, readFileSync, rmSync } from "node:fs";

const BUNDLED = new Set(["zod", "yaml", "luxon", "jstat", "csv-stringify"]);
const { dependencies } = JSON.parse(readFileSync("package.json", "utf8"));
const external = Object.keys(dependencies).filter((name) => !BUNDLED.has(name));

// zod re-exports its ~40 translations of error messages (z.locales), half of its code; Vitals
// writes its own messages and uses only the English default, so the bundle keeps only that one.
const onlyEnglishZodLocales = {
  name: "only-english-zod-locales",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (args.importer.includes(`${"node_modules"}/zod/`) ? { path: "zod-locales-en", namespace: "zod-locales" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, () => ({ contents: 'export { default as en } from "zod/v4/locales/en.js";', resolveDir: process.cwd(), loader: "js" }));
  },
};

rmSync("dist/cli", { recursive: true, force: true });
await build({
  entryPoints: [
    { in: "dist/src/cli/main.js", out: "main" },
    { in: "dist/src/config/dotenv.js", out: "dotenv" },
  ],
  outdir: "dist/cli",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  // Less text to parse; identifiers are kept, so a stack trace (LOG_LEVEL=debug) still reads.
  minifySyntax: true,
  minifyWhitespace: true,
  // Bundled CommonJS (jstat) calls require(): give each chunk a real one.
  banner: { js: 'import { createRequire as __vitalsRequire } from "node:module"; const require = __vitalsRequire(import.meta.url);' },
  plugins: [onlyEnglishZodLocales],
  logLevel: "warning",
});
// src/store/db.ts reads the migrations next to its own module, which is now a chunk in dist/cli.
cpSync("src/store/migrations", "dist/cli/migrations", { recursive: true });
