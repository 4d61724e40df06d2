import type { CliCommand } from "../context.js";
import { importCommand } from "./import.js";

/** Every `vitals` subcommand, in the order `vitals --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [importCommand];
