import type { AppDeps } from "../app-deps.js";
import type { FailureCause, SourceFailure } from "./errors.js";

// The failures of a forge sync that reads several targets one after the other (GitHub repos,
// GitLab projects): each is recorded on its target's cursor and becomes one line of
// `SyncReport.failures`, the other targets still sync. Once the host did not answer, the targets
// after it are not tried: asking again for each would only multiply the wait.

export interface TargetFailures {
  readonly failures: SourceFailure[];
  /** Whether `key` is skipped because the host did not answer for an earlier target (then it is recorded as failed). */
  skipped(key: string, subject: string): Promise<boolean>;
  /** Record a target's failure; `hostDown` when the host did not answer, so that later targets are skipped. */
  failed(key: string, subject: string, cause: FailureCause, hostDown: boolean): Promise<void>;
}

export function targetFailures(deps: Pick<AppDeps, "store" | "now">, source: string, host: string, noun: string): TargetFailures {
  const failures: SourceFailure[] = [];
  let unreachable: string | undefined;
  return {
    failures,
    async skipped(key, subject) {
      if (unreachable === undefined) return false;
      await deps.store.syncState.recordFailure(source, key, unreachable, deps.now());
      failures.push({ source, host, cause: `${unreachable} (not tried: the host did not answer for an earlier ${noun})`, subject });
      return true;
    },
    async failed(key, subject, cause, hostDown) {
      await deps.store.syncState.recordFailure(source, key, cause.words, deps.now());
      failures.push({ source, host, cause: cause.words, subject });
      if (hostDown) unreachable = cause.words;
    },
  };
}
