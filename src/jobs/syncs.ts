import type { AppDeps } from "../app-deps.js";
import type { FileConfig } from "../config/file.js";
import { failureFrom, failureLine, sourceHost } from "../sources/errors.js";
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

/**
 * After `failures` failed runs in a row, how long to wait before the next try: 1, 2, 4, 8 …
 * minutes, never longer than the source's interval (a dead source is retried with backoff, never
 * in a tight loop, and is back on its schedule once it answers).
 */
export function retryDelayMinutes(failures: number, everyMinutes: number): number {
  return Math.min(everyMinutes, 2 ** Math.max(0, failures - 1));
}

export interface SyncRunnerOptions {
  readonly sources: readonly SyncSource[];
  /** Called once after a tick in which any source wrote new or changed records. */
  readonly onChanged?: () => Promise<void>;
  /**
   * Failures of a run (the exporter's vitals_sync_errors_total): 1 when the sync threw, else one per
   * key (repository, service) whose failure it recorded — sources catch those and carry on.
   */
  readonly onSyncError?: (source: SyncSource["name"], failures: number) => void;
}

/** One tick: sync every configured source that is due, one after another; never throws. */
export function syncRunner(deps: AppDeps, options: SyncRunnerOptions): { tick(): Promise<SyncReport[]> } {
  const nextDue = new Map<string, number>();
  const failuresInRow = new Map<string, number>();
  return {
    async tick() {
      const reports: SyncReport[] = [];
      for (const source of options.sources) {
        const nowMs = deps.now();
        const every = syncIntervalMinutes(deps.config, source.name);
        if (!source.configured(deps) || nowMs < (nextDue.get(source.name) ?? -Infinity)) continue;
        // Planned before the run: a failing source waits instead of hammering the API.
        nextDue.set(source.name, nowMs + every * 60_000);
        let failed: string | undefined;
        const before = options.onSyncError ? await failureMarks(deps, source.name) : undefined;
        try {
          const report = await source.sync(deps);
          const failedKeys = before ? newFailures(before, await failureMarks(deps, source.name)) : 0;
          if (failedKeys > 0) options.onSyncError?.(source.name, failedKeys);
          reports.push(report);
          deps.logger.info({ job: "sync", source: source.name, fetched: report.fetched, inserted: report.inserted, updated: report.updated }, "sync finished");
          if (report.failures && report.failures.length > 0) failed = report.failures.map(failureLine).join("; ");
        } catch (error) {
          failed = failureLine(failureFrom(source.name, sourceHost(source.name, deps.env), error));
          deps.logger.debug({ err: error, job: "sync", source: source.name }, "sync failed");
          options.onSyncError?.(source.name, 1);
        }
        if (failed === undefined) {
          failuresInRow.delete(source.name);
          continue;
        }
        const failures = (failuresInRow.get(source.name) ?? 0) + 1;
        failuresInRow.set(source.name, failures);
        const waitMinutes = retryDelayMinutes(failures, every);
        nextDue.set(source.name, nowMs + waitMinutes * 60_000);
        deps.logger.warn({ job: "sync", source: source.name, failures, retryInMinutes: waitMinutes }, `sync failed: ${failed}; retrying in ${waitMinutes} min`);
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

/** Each key's last recorded failure (sync_cursors), to tell which keys failed during a run. */
async function failureMarks(deps: AppDeps, source: string): Promise<Map<string, string>> {
  const marks = new Map<string, string>();
  for (const c of await deps.store.syncState.cursors()) if (c.source === source && c.last_error_at !== null) marks.set(c.key, `${c.last_error_at}:${c.last_error ?? ""}`);
  return marks;
}

function newFailures(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): number {
  let n = 0;
  for (const [key, mark] of after) if (before.get(key) !== mark) n++;
  return n;
}
