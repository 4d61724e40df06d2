import type { App } from "@slack/bolt";
import type { SlackRuntime } from "../runtime.js";
import { kpiCommand } from "./kpi.js";

export function registerCommands(app: App, runtime: SlackRuntime): void {
  app.command("/kpi", kpiCommand(runtime));
}
