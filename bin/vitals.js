#!/usr/bin/env node
// The `vitals` command. It runs the compiled, bundled JavaScript in dist/cli (built by `npm install`
// through the `prepare` script, or `npm run build`; scripts/bundle.mjs), so a call costs Node's
// start-up and the few files the command needs, not a TypeScript compile. VITALS_FROM_SOURCES=1
// runs src/ through tsx instead (development and the tests that spawn the CLI: no stale build).
import { existsSync, readFileSync } from "node:fs";
import module from "node:module";
import { fileURLToPath } from "node:url";

// Node 22.1+ keeps V8's compiled code on disk between runs (a second `vitals ask` skips parsing
// the bundle); Node 20 has no such cache and runs as before.
module.enableCompileCache?.();

const fromSources = process.env.VITALS_FROM_SOURCES === "1";
const built = new URL("../dist/cli/main.js", import.meta.url);
let main;
if (fromSources) {
  const { register } = await import("tsx/esm/api");
  register();
  main = await import("../src/cli/main.ts");
} else if (existsSync(fileURLToPath(built))) {
  main = await import(built.href);
} else {
  process.stderr.write("vitals: the compiled code (dist/) is missing: run `npm install` or `npm run build` first\n");
  process.exit(1);
}
const { withDotEnv } = fromSources ? await import("../src/config/dotenv.ts") : await import(new URL("../dist/cli/dotenv.js", import.meta.url).href);

const code = await main.runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => readFileSync(0, "utf8"),
  env: withDotEnv(process.env, process.cwd()),
});
process.exitCode = code;
