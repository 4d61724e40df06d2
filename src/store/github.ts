import type { Db } from "./db.js";
import type { DerivedData } from "./derived/engine.js";

export interface StoredDeployment {
  external_id: string;
  status: "success" | "failure";
  finished_at: number;
  sha: string | null;
}

/**
 * Reads the GitHub connector needs to decide what a deployment shipped (its predecessor, whether
 * its sha went out before) and whether a webhook delivery was handled. Cursors and ETags live in
 * sync_cursors (sync-state.ts); deliveries are recorded there too.
 */
export function githubStore(db: Db, derived: DerivedData) {
  const byExternalId = db.prepare<[string, string], StoredDeployment>(
    `SELECT external_id, status, finished_at, sha FROM deployments WHERE source = ? AND external_id = ?`,
  );
  const previousSuccess = db.prepare<[string, string, number, string], StoredDeployment>(
    `SELECT external_id, status, finished_at, sha FROM deployments
     WHERE service_id = ? AND environment = ? AND status = 'success' AND finished_at < ? AND external_id <> ? AND sha IS NOT NULL
     ORDER BY finished_at DESC, id DESC LIMIT 1`,
  );
  const shippedBefore = db.prepare<[string, string, string, number], { n: number }>(
    `SELECT count(*) AS n FROM deployments
     WHERE service_id = ? AND environment = ? AND status = 'success' AND sha = ? AND finished_at < ?`,
  );
  const deliverySeen = db.prepare<[string, string], { n: number }>(
    `SELECT count(*) AS n FROM webhook_deliveries WHERE source = ? AND delivery_id = ?`,
  );
  const changeOfSha = db.prepare<[string, string], { pr_number: number | null; committed_at: number }>(
    `SELECT c.pr_number, c.committed_at FROM deployment_changes dc JOIN changes c ON c.id = dc.change_id
     WHERE c.service_id = ? AND dc.sha = ? LIMIT 1`,
  );
  const updatePr = db.prepare(
    `UPDATE changes SET pr_labels = @labels, pr_title = @title, pr_head_branch = @headBranch
     WHERE service_id = @service AND change_key = @key
       AND (pr_labels IS NOT @labels OR pr_title IS NOT @title OR pr_head_branch IS NOT @headBranch)`,
  );
  const firstDeploymentOfPr = db.prepare<[string, string], { first_deployment_id: number | null }>(
    `SELECT first_deployment_id FROM changes WHERE service_id = ? AND change_key = ?`,
  );
  const prsFirstShippedBy = db.prepare<[number], { pr_labels: string | null; pr_head_branch: string | null }>(
    `SELECT pr_labels, pr_head_branch FROM changes WHERE first_deployment_id = ? AND pr_number IS NOT NULL`,
  );
  const setHotfix = db.prepare<[number, number, number]>(`UPDATE deployments SET is_hotfix = ? WHERE id = ? AND is_hotfix IS NOT ?`);
  return {
    /**
     * A pull request's labels, title or branch changed after it shipped: update its change and
     * return the deployment that first shipped it (to re-decide its hotfix flag), if any.
     */
    updatePullRequest(service: string, number: number, pr: { labels: readonly string[]; title: string; headBranch: string }): number | undefined {
      const key = `pr:${number}`;
      updatePr.run({ service, key, labels: JSON.stringify(pr.labels), title: pr.title, headBranch: pr.headBranch });
      return firstDeploymentOfPr.get(service, key)?.first_deployment_id ?? undefined;
    },
    /** Labels and branches of the pull requests a deployment shipped first. */
    prsFirstShippedBy: (deploymentId: number): { labels: string[]; headBranch: string | undefined }[] =>
      prsFirstShippedBy.all(deploymentId).map((r) => ({ labels: r.pr_labels ? (JSON.parse(r.pr_labels) as string[]) : [], headBranch: r.pr_head_branch ?? undefined })),
    /** true when the flag changed. */
    setHotfix(deploymentId: number, hotfix: boolean): boolean {
      if (setHotfix.run(hotfix ? 1 : 0, deploymentId, hotfix ? 1 : 0).changes === 0) return false;
      derived.deploymentTouched(deploymentId); // a hotfix is rework
      derived.flush();
      return true;
    },
    /** A commit an earlier deployment already shipped: its change (PR number and time) is known. */
    changeOfSha: (service: string, sha: string) => changeOfSha.get(service, sha),
    deployment: (source: string, externalId: string): StoredDeployment | undefined => byExternalId.get(source, externalId),
    /** The latest successful deployment of the service in `environment` that finished before `beforeMs`. */
    previousSuccess: (service: string, environment: string, beforeMs: number, excludeExternalId: string): StoredDeployment | undefined =>
      previousSuccess.get(service, environment, beforeMs, excludeExternalId),
    shaShippedBefore: (service: string, environment: string, sha: string, beforeMs: number): boolean =>
      (shippedBefore.get(service, environment, sha, beforeMs)?.n ?? 0) > 0,
    deliverySeen: (source: string, deliveryId: string): boolean => (deliverySeen.get(source, deliveryId)?.n ?? 0) > 0,
  };
}
