// The `vitals` command's start-up build (part of `npm run build`, so of `npm install`/`npm ci`):
// tsc's output in dist/src bundled by esbuild into dist/cli, one chunk per command plus shared ones.
// A command then reads a few files instead of ~200 modules (zod alone is ~95) and skips the
// CommonJS export scan of each package it imports. Only the pure-JavaScript libraries every command
// needs at start are bundled; the rest (Bolt, the source clients, the chart renderer, pino,
// better-sqlite3's native addon) stay ordinary imports, loaded by the commands that use them.
import { build } from "esbuild";
import { cpSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";

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

// `vitals ask` again, alone and as CommonJS (dist/cli/ask.cjs): Node 20 keeps no compiled code
// between runs for ES modules, but bin/vitals.js can for a script (vm.Script's cachedData, the code
// cache written on the first run), which skips parsing and compiling it. A script cannot import an
// ES module synchronously, and Node 20 loses a cached script's import() callback, so the bundle may
// only require CommonJS packages and Node's modules, and import() nothing (checked below).
const ask = await build({
  entryPoints: ["dist/src/cli/ask-main.js"],
  outfile: "dist/cli/ask.cjs",
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external,
  minifySyntax: true,
  minifyWhitespace: true,
  define: { "import.meta.url": "__vitalsModuleUrl" },
  banner: { js: 'const __vitalsModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [onlyEnglishZodLocales],
  metafile: true,
  logLevel: "warning",
});
// pg is required only inside the PostgreSQL store's module, which src/app/root.ts imports when
// DATABASE_URL is set: esbuild initialises that module (and requires pg) on that first import.
const COMMONJS_EXTERNALS = new Set(["better-sqlite3", "pg"]);
const askImports = Object.values(ask.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external));
const notRequirable = askImports.filter((i) => i.kind === "dynamic-import" || (!i.path.startsWith("node:") && !builtinModules.includes(i.path) && !COMMONJS_EXTERNALS.has(i.path)));
if (notRequirable.length > 0) {
  throw new Error(`dist/cli/ask.cjs would load ${[...new Set(notRequirable.map((i) => `${i.path} (${i.kind})`))].join(", ")}: it can only require ${[...COMMONJS_EXTERNALS].join(", ")} and Node's modules`);
}

// src/store/db.ts reads the migrations next to its own module, which is now a chunk in dist/cli.
cpSync("src/store/migrations", "dist/cli/migrations", { recursive: true });
