import type { AppDeps } from "../app-deps.js";
import type { FileConfig } from "../config/file.js";
import type { SyncReport, SyncSource } from "../sources/types.js";

// Scheduled pulls from GitHub, GitLab, PagerDuty, Prometheus and SonarQube, each at its own interval from
// the config file (`github.sync_every_minutes`, …). Runs are in-process: the first tick after start
// syncs every configured source (continuing from its stored cursor), later ticks when due.

/** The configured interval of a source, in minutes. */
export function syncIntervalMinutes(config: FileConfig, source: SyncSource["name"]): number {
  return config[source].sync_every_minutes;
}

/** Whether a source is due: never run in this process, or its interval has passed. */
export function isSyncDue(lastRunMs: number | undefined, nowMs: number, everyMinutes: number): boolean {
  return lastRunMs === undefined || nowMs - lastRunMs >= everyMinutes * 60_000;
}

export interface SyncRunnerOptions {
  readonly sources: readonly SyncSource[];
  /** Called once after a tick in which any source wrote new or changed records. */
  readonly onChanged?: () => Promise<void>;
}

/** One tick: sync every configured source that is due, one after another; never throws. */
export function syncRunner(deps: AppDeps, options: SyncRunnerOptions): { tick(): Promise<SyncReport[]> } {
  const lastRun = new Map<string, number>();
  return {
    async tick() {
      const reports: SyncReport[] = [];
      for (const source of options.sources) {
        const nowMs = deps.now();
        if (!source.configured(deps) || !isSyncDue(lastRun.get(source.name), nowMs, syncIntervalMinutes(deps.config, source.name))) continue;
        // Marked before the run: a failing source waits its interval instead of hammering the API.
        lastRun.set(source.name, nowMs);
        try {
          const report = await source.sync(deps);
          reports.push(report);
          deps.logger.info({ job: "sync", source: source.name, fetched: report.fetched, inserted: report.inserted, updated: report.updated }, "sync finished");
        } catch (error) {
          deps.logger.error({ err: error, job: "sync", source: source.name }, "sync failed; retrying at the next interval");
        }
      }
      if (reports.some((r) => r.inserted + r.updated > 0)) {
        try {
          await options.onChanged?.();
        } catch (error) {
          deps.logger.error({ err: error, job: "sync" }, "after-sync work failed");
        }
      }
      return reports;
    },
  };
}
