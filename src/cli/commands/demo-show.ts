import type { Env } from "../../config/env.js";
import type { FileConfig } from "../../config/file.js";
import type { Logger } from "../../log.js";
import type { Store } from "../../store/index.js";
import type { CliIo } from "../context.js";

export interface DemoShowContext {
  readonly store: Store;
  readonly config: FileConfig;
  readonly env: Env;
  readonly nowMs: number;
  readonly outDir: string;
  readonly io: CliIo;
  readonly logger: Logger;
}

/** What `vitals demo` shows once the data is in: the main job's output. */
export async function showDemo(ctx: DemoShowContext): Promise<void> {
  const counts = ctx.store.db
    .prepare(`SELECT (SELECT count(*) FROM deployments) AS deployments, (SELECT count(*) FROM changes) AS changes, (SELECT count(*) FROM incidents) AS incidents`)
    .get() as { deployments: number; changes: number; incidents: number };
  ctx.io.stdout(`${counts.deployments} deployments, ${counts.changes} changes, ${counts.incidents} incidents.\n`);
}
