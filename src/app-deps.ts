import type { Env } from "./config/env.js";
import type { FileConfig } from "./config/file.js";
import type { Logger } from "./log.js";
import type { Store } from "./store/index.js";

/**
 * What every long-running part of the app (Slack listeners, HTTP routes, jobs, syncs) is built
 * from. The composition root (src/app/root.ts) builds it once, for the app and every CLI command,
 * with `config` the effective one; tests build it there too, with a `:memory:` store, a parsed
 * config and a fixed clock. A type-only module at the root of src/, so every layer may name it.
 */
export interface AppDeps {
  readonly store: Store;
  readonly config: FileConfig;
  readonly env: Env;
  readonly logger: Logger;
  /** Injected clock, UTC epoch ms. */
  readonly now: () => number;
  /**
   * Present when the settings admins change from Slack are kept in a snapshot (a PostgreSQL store,
   * shared by replicas): reads them again, so another replica's change reaches `config`.
   */
  readonly refreshSettings?: () => Promise<void>;
}
