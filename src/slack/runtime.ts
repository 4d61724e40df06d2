import type { AppDeps } from "../app-deps.js";
import type { FileConfig } from "../config/file.js";
import type { AnswerConfirmation } from "../confirmations/actions.js";
import type { QuestionEngine } from "../query/engine.js";
import type { QueryContext } from "../query/types.js";
import type { Compute } from "../query/compute-queue.js";
import type { KpiSubcommand } from "./kpi-subcommand.js";

// What the listeners share, all given by the composition root (src/app/): the app's deps, the
// question engine (src/query/ask.ts, passed in so the Slack layer does not care how answers are
// computed), the `/kpi` subcommands and the hooks (what a finished sync should trigger).

export interface SlackRuntime {
  readonly deps: AppDeps;
  readonly engine: QuestionEngine;
  readonly subcommands: readonly KpiSubcommand[];
  /** Runs a synchronous answer computation in turn, letting acknowledgements through first. */
  readonly compute: Compute;
  /** Runs after `/kpi sync` finished (threshold evaluation, reviews, App Home refresh). */
  readonly afterSync: () => Promise<void>;
  /** What the link confirmation buttons do (src/confirmations/actions.ts, passed in: no jobs code is imported here). */
  readonly answerConfirmation: AnswerConfirmation;
}

/**
 * The YAML config with the settings admins changed from Slack applied on top (they win): the deps'
 * own config, which the composition root builds as the effective one (src/config/effective.ts).
 */
export function currentConfig(deps: AppDeps): FileConfig {
  return deps.config;
}

export function queryContext(deps: AppDeps): QueryContext {
  return { store: deps.store, config: currentConfig(deps), nowMs: deps.now() };
}

/** The services a question may name: read (awaited, issue 19) before the pure parse. */
export async function knownServices(deps: AppDeps, config: FileConfig): Promise<string[]> {
  const ids = new Set(config.services.map((s) => s.id));
  for (const row of await deps.store.catalog.services()) ids.add(row.id);
  return [...ids];
}
