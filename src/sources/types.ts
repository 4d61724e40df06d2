import type { AppDeps } from "../app-deps.js";
import type { SourceFailure } from "./errors.js";

// The contract every pulled source (GitHub, PagerDuty, Prometheus, SonarQube) implements, so that
// `vitals sync` and the scheduled sync jobs treat them alike.

export interface SyncOptions {
  /** Fetch this many days back instead of continuing from the stored cursor. */
  readonly backfillDays?: number;
  readonly signal?: AbortSignal;
}

export interface SyncReport {
  readonly source: string;
  /** Records fetched and written (re-running a sync writes 0 new/updated). */
  readonly fetched: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** One line per thing the user should know: skipped items, unmapped services, rate limits hit. */
  readonly notes: readonly string[];
  /**
   * Parts that failed while the rest synced (one repo of several): `vitals sync` exits non-zero
   * when there is any. A source that fails as a whole throws instead.
   */
  readonly failures?: readonly SourceFailure[];
}

export interface SyncSource {
  readonly name: "github" | "gitlab" | "pagerduty" | "prometheus" | "sonar";
  /** Whether the environment and config file set this source up (token + at least one service). */
  configured(deps: Pick<AppDeps, "env" | "config">): boolean;
  sync(deps: AppDeps, options?: SyncOptions): Promise<SyncReport>;
}
