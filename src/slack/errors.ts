import { randomUUID } from "node:crypto";
import type { AppDeps } from "../app-deps.js";

/** Log an unexpected failure with a short id the user can quote (the message never shows the error). */
export function logWithErrorId(deps: AppDeps, error: unknown, context: Record<string, unknown>): string {
  const errorId = randomUUID().slice(0, 8);
  deps.logger.error({ err: error, errorId, ...context }, "Slack request failed");
  return errorId;
}
