#!/usr/bin/env node
// The `vitals` command. It runs the compiled, bundled JavaScript in dist/cli (built by `npm install`
// through the `prepare` script, or `npm run build`; scripts/bundle.mjs), so a call costs Node's
// start-up and the few files the command needs, not a TypeScript compile. VITALS_FROM_SOURCES=1
// runs src/ through tsx instead (development and the tests that spawn the CLI: no stale build).
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import module, { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

// Node 22.1+ keeps V8's compiled code on disk between runs (a second `vitals ask` skips parsing
// the bundle); Node 20 has no such cache and runs as before.
module.enableCompileCache?.();

/**
 * Run a CommonJS bundle with V8's code cache: Node 20 keeps none between runs (for ES modules not even
 * on 22), so the cache of dist/cli/ask.cjs is written next to it after its first run, and read by the
 * next ones. Its name carries the bundle's size and build time: a rebuilt bundle never meets an old
 * cache (V8 checks only the source's length). V8 rejects a cache made by another Node or other flags;
 * it is then written again. A cache that cannot be written (read-only install) costs only the saving.
 */
function loadWithCodeCache(file) {
  const { size, mtimeMs } = statSync(file);
  const cacheFile = `${file}.${size}-${Math.trunc(mtimeMs)}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(file, "utf8");
  // Node's own CommonJS wrapper, on the first line so that stack traces keep the bundle's line numbers.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
  const saveCache = () => {
    if (cachedData !== undefined && !script.cachedDataRejected) return;
    try {
      // After the run, so the cache holds the functions it compiled, not only the top level.
      writeFileSync(`${cacheFile}.${process.pid}`, script.createCachedData());
      renameSync(`${cacheFile}.${process.pid}`, cacheFile);
    } catch {
      // Not writable: the next run compiles again.
    }
  };
  return { ...mod.exports, saveCache };
}

const fromSources = process.env.VITALS_FROM_SOURCES === "1";
const built = new URL("../dist/cli/main.js", import.meta.url);
const askBundle = fileURLToPath(new URL("../dist/cli/ask.cjs", import.meta.url));
let main;
if (fromSources) {
  const { register } = await import("tsx/esm/api");
  register();
  main = await import("../src/cli/main.ts");
} else if (process.argv[2] === "ask" && existsSync(askBundle)) {
  main = loadWithCodeCache(askBundle);
} else if (existsSync(fileURLToPath(built))) {
  main = await import(built.href);
} else {
  process.stderr.write("vitals: the compiled code (dist/) is missing: run `npm install` or `npm run build` first\n");
  process.exit(1);
}
const { withDotEnv } = fromSources ? await import("../src/config/dotenv.ts") : main.withDotEnv ? main : await import(new URL("../dist/cli/dotenv.js", import.meta.url).href);

const code = await main.runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => readFileSync(0, "utf8"),
  env: withDotEnv(process.env, process.cwd()),
});
// Only after an answer: a run that stopped early (help, a bad question) compiled too little to keep.
const askedForHelp = process.argv.includes("--help") || process.argv.includes("-h");
if (code === 0 && !askedForHelp) main.saveCache?.();
process.exitCode = code;
