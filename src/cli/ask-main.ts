import { askCommand } from "./commands/ask.js";
import type { CliIo } from "./context.js";
import { runCommand } from "./run-command.js";

// The entry of `vitals ask`'s own bundle (dist/cli/ask.cjs, scripts/bundle.mjs): the same command
// and error handling as runCli("ask", ...), without the other commands. bin/vitals.js loads it
// through V8's code cache, so a call skips parsing and compiling the ~800 KB it runs.

export { withDotEnv } from "../config/dotenv.js";

/** runCli for argv = ["ask", ...]. */
export function runCli(argv: string[], io: CliIo): Promise<number> {
  return runCommand(askCommand, argv.slice(1), io);
}
