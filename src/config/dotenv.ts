import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

// `.env` in the working directory, as .env.example says ("Copy to .env"). Read with Node's own
// parser (util.parseEnv, the one behind `node --env-file`); the real environment wins, so a
// process manager or CI can override any line. Only the entry point (bin/vitals.js) calls this:
// the rest of the code sees one merged environment, parsed once by src/config/env.ts.

export const DOTENV_FILE = ".env";

/** The environment with `.env` (when there is one in `dir`) underneath it. */
export function withDotEnv(env: Readonly<Record<string, string | undefined>>, dir: string): Record<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(join(dir, DOTENV_FILE), "utf8");
  } catch {
    return { ...env };
  }
  return { ...parseEnv(text), ...env };
}
