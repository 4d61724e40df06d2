import { ConfigError } from "../config/errors.js";
import { buildContext, type CliCommand, type CliIo } from "./context.js";

/** Run one command with its arguments (after the command name); resolves with the exit code. Never throws. */
export async function runCommand(command: CliCommand, rest: string[], io: CliIo): Promise<number> {
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.help + "\n");
    return 0;
  }
  let ctx: ReturnType<typeof buildContext> | undefined;
  try {
    ctx = buildContext(command, rest, io);
    return await command.run(ctx);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`vitals ${command.name}: ${error.message}\n`);
      return 2;
    }
    // A bug or an outage: one line for the user, the details only when asked for (LOG_LEVEL=debug).
    // The global Web Crypto, loaded on first use: a command that succeeds does not pay for node:crypto.
    const errorId = crypto.randomUUID().slice(0, 8);
    io.stderr(`vitals ${command.name}: ${(error as Error).message ?? String(error)} (error id ${errorId})\n`);
    if (io.env.LOG_LEVEL === "debug" || io.env.LOG_LEVEL === "trace") io.stderr(`${(error as Error).stack ?? ""}\n`);
    return 1;
  } finally {
    // A PostgreSQL pool left open would keep the process alive after the command.
    await ctx?.close().catch(() => undefined);
  }
}
