import type { CliCommand } from "../context.js";
import { askCommand } from "./ask.js";
import { benchCommand } from "./bench.js";
import { costCommand } from "./cost.js";
import { coverageCommand } from "./coverage.js";
import { demoCommand } from "./demo.js";
import { digestCommand } from "./digest.js";
import { importCommand } from "./import.js";
import { startCommand } from "./start.js";
import { syncCommand } from "./sync.js";

/** Every `vitals` subcommand, in the order `vitals --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [demoCommand, importCommand, syncCommand, digestCommand, startCommand, askCommand, benchCommand, coverageCommand, costCommand];
