import type { AppDeps } from "../app-deps.js";
import { isHotfixPr } from "../sources/delivery-rules.js";

/**
 * A pull/merge request's labels, title or branch changed after it shipped (say, `hotfix` added
 * during the incident review): update its stored change in each service and re-decide the hotfix
 * flag of the deployment that first shipped it. Shared by the GitHub and GitLab webhooks.
 */
export function refreshShippedPr(
  deps: AppDeps,
  services: readonly string[],
  number: number,
  info: { labels: readonly string[]; title: string; headBranch: string },
): { written: number; known: boolean } {
  let written = 0;
  let known = false;
  deps.store.db.transaction(() => {
    for (const service of services) {
      const deploymentId = deps.store.github.updatePullRequest(service, number, info);
      if (deploymentId === undefined) continue;
      known = true;
      const hotfix = deps.store.github.prsFirstShippedBy(deploymentId).some(isHotfixPr);
      if (deps.store.github.setHotfix(deploymentId, hotfix)) written++;
    }
  })();
  return { written, known };
}
