import type { AppDeps } from "../../app-deps.js";
import { pendingAlertTexts } from "../../alerts/actions.js";
import { kpiEngine } from "../../app/engines.js";
import type { CliIo } from "../context.js";
import { printDigests } from "./digest.js";

export interface DemoShowContext {
  readonly deps: AppDeps;
  readonly nowMs: number;
  readonly outDir: string;
  readonly io: CliIo;
}

/**
 * What `vitals demo` shows once the data is in: the main job's output. Each team's weekly digest as
 * the Slack message's text with its chart written as PNG, then the threshold alerts the alert job
 * would post now. Nothing is sent anywhere.
 */
export async function showDemo(ctx: DemoShowContext): Promise<void> {
  const { deps, nowMs } = ctx;
  await printDigests({ deps, engine: kpiEngine, teams: deps.config.teams, nowMs, outDir: ctx.outDir, write: ctx.io.stdout });
  const alerts = await pendingAlertTexts(deps, kpiEngine, nowMs);
  ctx.io.stdout(`\nThreshold alerts the alert job would post now (${alerts.length}):\n`);
  ctx.io.stdout(alerts.length === 0 ? "  none: every configured threshold is healthy\n" : alerts.map((a) => `  • ${a.replace(/\n/g, "\n    ")}\n`).join(""));
}
