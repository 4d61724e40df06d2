import type { AppDeps } from "../app-deps.js";
import { isHotfixPr } from "../sources/delivery-rules.js";

/**
 * A pull/merge request's labels, title or branch changed after it shipped (say, `hotfix` added
 * during the incident review): update its stored change in each service and re-decide the hotfix
 * flag of the deployment that first shipped it. Shared by the GitHub and GitLab webhooks.
 */
export async function refreshShippedPr(
  deps: AppDeps,
  services: readonly string[],
  number: number,
  info: { labels: readonly string[]; title: string; headBranch: string },
): Promise<{ written: number; known: boolean }> {
  // One unit of work in the store, which decides the hotfix flag with the rule passed.
  return deps.store.github.applyPullRequest(services, number, info, isHotfixPr);
}
