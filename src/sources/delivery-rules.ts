import type { PullRequestInfo } from "../domain/records.js";
import { isHotfixPr, isRevertPr } from "./github/normalise.js";

// The delivery rules every forge connector (GitHub, GitLab) applies to a successful production
// deployment once it knows what it shipped, so the same history gives the same numbers whichever
// forge serves it (docs/metrics.md: change failure rate, rework rate, lead time).

export { isHotfixPr,  };

export interface PreviousDeployment {
  readonly external_id: string;
  readonly sha: string | null;
}

/**
 * Rollback rule: with a predecessor, a deployment rolls it back when it goes back to older code (a
 * different sha that an earlier successful deployment already shipped, or an ancestor of the
 * predecessor's: `behind`) or ships a revert pull/merge request. Hotfix: any shipped PR/MR is one.
 * `shippedBefore` is asked only when needed (it is a query).
 */
export async function deliveryFlags(
  previous: PreviousDeployment | undefined,
  sha: string,
  behind: boolean,
  shippedBefore: () => boolean | Promise<boolean>,
  prs: readonly PullRequestInfo[],
): Promise<{ hotfix: boolean; rollbackOf: string | undefined }> {
  const redeployOfEarlierCode = previous !== undefined && previous.sha !== sha && (behind || (await shippedBefore()));
  const rollback = previous !== undefined && (redeployOfEarlierCode || prs.some(isRevertPr));
  return { hotfix: prs.some(isHotfixPr), rollbackOf: rollback ? previous.external_id : undefined };
}

/** A PR/MR's earliest commit stands for it (survives squash merges); without commits, its opening. */
export function earliestCommitMs(commitTimesMs: readonly number[], openedAtMs: number): number {
  return commitTimesMs.length > 0 ? Math.min(...commitTimesMs) : openedAtMs;
}
