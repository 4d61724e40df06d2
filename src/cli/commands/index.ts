import type { CliCommand } from "../context.js";
import { demoCommand } from "./demo.js";
import { importCommand } from "./import.js";
import { syncCommand } from "./sync.js";

/** Every `vitals` subcommand, in the order `vitals --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [demoCommand, importCommand, syncCommand];
