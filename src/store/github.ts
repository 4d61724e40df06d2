import { Touches, type DerivedOps } from "./derived/engine.js";
import { all, get, run, value, type Sql } from "./sql/query.js";

export interface StoredDeployment {
  external_id: string;
  status: "success" | "failure";
  finished_at: number;
  sha: string | null;
}

/** What decides a deployment's hotfix flag: one pull request it shipped first. */
export interface ShippedPr {
  labels: string[];
  headBranch: string | undefined;
}

/** A pull request's labels, title and branch as the forge now reports them. */
export interface PullRequestInfo {
  labels: readonly string[];
  title: string;
  headBranch: string;
}

/**
 * Reads the GitHub connector needs to decide what a deployment shipped (its predecessor, whether
 * its sha went out before) and whether a webhook delivery was handled. Cursors and ETags live in
 * sync_cursors (sync-state.ts); deliveries are recorded there too.
 */
export function githubOps(derived: DerivedOps) {
  const byExternalId = `SELECT external_id, status, finished_at, sha FROM deployments WHERE source = ? AND external_id = ?`;
  const previousSuccess = `SELECT external_id, status, finished_at, sha FROM deployments
     WHERE service_id = ? AND environment = ? AND status = 'success' AND finished_at < ? AND external_id <> ? AND sha IS NOT NULL
     ORDER BY finished_at DESC, id DESC LIMIT 1`;
  const shippedBefore = `SELECT count(*) AS n FROM deployments
     WHERE service_id = ? AND environment = ? AND status = 'success' AND sha = ? AND finished_at < ?`;
  const deliverySeen = `SELECT count(*) AS n FROM webhook_deliveries WHERE source = ? AND delivery_id = ?`;
  const changeOfSha = `SELECT c.pr_number, c.committed_at FROM deployment_changes dc JOIN changes c ON c.id = dc.change_id
     WHERE c.service_id = ? AND dc.sha = ? LIMIT 1`;
  const updatePr = `UPDATE changes SET pr_labels = @labels, pr_title = @title, pr_head_branch = @headBranch
     WHERE service_id = @service AND change_key = @key
       AND (pr_labels IS DISTINCT FROM @labels OR pr_title IS DISTINCT FROM @title OR pr_head_branch IS DISTINCT FROM @headBranch)`;
  const firstDeploymentOfPr = `SELECT first_deployment_id FROM changes WHERE service_id = ? AND change_key = ?`;
  // In row order (SQLite reads them so from its index): the same list on both engines.
  const shippedFirst = `SELECT pr_labels, pr_head_branch FROM changes WHERE first_deployment_id = ? AND pr_number IS NOT NULL ORDER BY id`;
  const hotfixFlag = `UPDATE deployments SET is_hotfix = ? WHERE id = ? AND is_hotfix IS DISTINCT FROM ?`;

  function* updatePullRequest(service: string, number: number, pr: PullRequestInfo): Sql<number | undefined> {
    const key = `pr:${number}`;
    yield* run(updatePr, { service, key, labels: JSON.stringify(pr.labels), title: pr.title, headBranch: pr.headBranch });
    return (yield* value<number | null>(firstDeploymentOfPr, [service, key])) ?? undefined;
  }

  function* prsFirstShippedBy(deploymentId: number): Sql<ShippedPr[]> {
    const rows = yield* all<{ pr_labels: string | null; pr_head_branch: string | null }>(shippedFirst, [deploymentId]);
    return rows.map((r) => ({ labels: r.pr_labels ? (JSON.parse(r.pr_labels) as string[]) : [], headBranch: r.pr_head_branch ?? undefined }));
  }

  function* setHotfix(deploymentId: number, hotfix: boolean, touches?: Touches): Sql<boolean> {
    const flag = hotfix ? 1 : 0;
    if ((yield* run(hotfixFlag, [flag, deploymentId, flag])).changes === 0) return false;
    const t = touches ?? new Touches();
    t.deploymentTouched(deploymentId); // a hotfix is rework
    if (touches === undefined) yield* derived.flush(t);
    return true;
  }

  return {
    /**
     * A pull request's labels, title or branch changed after it shipped: update its change and
     * return the deployment that first shipped it (to re-decide its hotfix flag), if any.
     */
    updatePullRequest,
    /** Labels and branches of the pull requests a deployment shipped first. */
    prsFirstShippedBy,
    /** true when the flag changed. */
    setHotfix,
    /**
     * One unit of work (src/http/shipped-pr.ts): a pull/merge request's labels, title or branch
     * changed after it shipped; update its change in each service and re-decide the hotfix flag of
     * the deployment that first shipped it. `written` counts flags changed; `known` says whether
     * any service had shipped it.
     */
    *applyPullRequest(services: readonly string[], number: number, info: PullRequestInfo, isHotfix: (pr: ShippedPr) => boolean): Sql<{ written: number; known: boolean }> {
      const touches = new Touches();
      let written = 0;
      let known = false;
      for (const service of services) {
        const deploymentId = yield* updatePullRequest(service, number, info);
        if (deploymentId === undefined) continue;
        known = true;
        const hotfix = (yield* prsFirstShippedBy(deploymentId)).some(isHotfix);
        if (yield* setHotfix(deploymentId, hotfix, touches)) written++;
      }
      yield* derived.flush(touches);
      return { written, known };
    },
    /** A commit an earlier deployment already shipped: its change (PR number and time) is known. */
    *changeOfSha(service: string, sha: string): Sql<{ pr_number: number | null; committed_at: number } | undefined> {
      return yield* get<{ pr_number: number | null; committed_at: number }>(changeOfSha, [service, sha]);
    },
    *deployment(source: string, externalId: string): Sql<StoredDeployment | undefined> {
      return yield* get<StoredDeployment>(byExternalId, [source, externalId]);
    },
    /** The latest successful deployment of the service in `environment` that finished before `beforeMs`. */
    *previousSuccess(service: string, environment: string, beforeMs: number, excludeExternalId: string): Sql<StoredDeployment | undefined> {
      return yield* get<StoredDeployment>(previousSuccess, [service, environment, beforeMs, excludeExternalId]);
    },
    *shaShippedBefore(service: string, environment: string, sha: string, beforeMs: number): Sql<boolean> {
      return ((yield* value<number>(shippedBefore, [service, environment, sha, beforeMs])) ?? 0) > 0;
    },
    *deliverySeen(source: string, deliveryId: string): Sql<boolean> {
      return ((yield* value<number>(deliverySeen, [source, deliveryId])) ?? 0) > 0;
    },
  };
}
