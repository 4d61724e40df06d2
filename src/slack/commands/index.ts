import type { ListenerApp } from "../listener.js";
import type { SlackRuntime } from "../runtime.js";
import { kpiCommand } from "./kpi.js";

export function registerCommands(app: ListenerApp, runtime: SlackRuntime): void {
  app.command("/kpi", kpiCommand(runtime));
}
