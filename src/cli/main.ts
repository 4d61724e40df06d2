import { COMMANDS } from "./commands/index.js";
import type { CliIo } from "./context.js";
import { runCommand } from "./run-command.js";

const USAGE = () => `Vitals: delivery and reliability KPIs, with the why behind every number.

Usage: vitals <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary ?? ""}`).join("\n")}

Run "vitals <command> --help" for a command's options.
Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input.`;

/** Run the CLI; resolves with the process exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(USAGE() + "\n");
    return name ? 0 : 2;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`vitals: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(", ")}\n`);
    return 2;
  }
  return runCommand("load" in entry ? await entry.load() : entry, rest, io);
}
