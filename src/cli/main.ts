import { randomUUID } from "node:crypto";
import { ConfigError } from "../config/errors.js";
import { COMMANDS } from "./commands/index.js";
import { buildContext, type CliIo } from "./context.js";

const USAGE = () => `Vitals: delivery and reliability KPIs, with the why behind every number.

Usage: vitals <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary ?? ""}`).join("\n")}

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
  const command = "load" in entry ? await entry.load() : entry;
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.help + "\n");
    return 0;
  }
  try {
    const ctx = buildContext(command, rest, io);
    return await command.run(ctx);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`vitals ${name}: ${error.message}\n`);
      return 2;
    }
    // A bug or an outage: one line for the user, the details only when asked for (LOG_LEVEL=debug).
    const errorId = randomUUID().slice(0, 8);
    io.stderr(`vitals ${name}: ${(error as Error).message ?? String(error)} (error id ${errorId})\n`);
    if (io.env.LOG_LEVEL === "debug" || io.env.LOG_LEVEL === "trace") io.stderr(`${(error as Error).stack ?? ""}\n`);
    return 1;
  }
}
