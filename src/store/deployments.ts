import type { ChangeRecord, DeploymentRecord } from "../domain/records.js";
import { Touches, type DerivedOps } from "./derived/engine.js";
import type { Dialect } from "./sql/dialect.js";
import { column, get, run, value, type Sql } from "./sql/query.js";
import { emptyStats, orNull, type WriteStats } from "./write-stats.js";

interface FirstDeployment {
  id: number | null;
  finished_at: number | null;
}

/**
 * Deployments and the changes they shipped. A change is a pull request when known (its earliest
 * commit stands for it, which survives squash merges) or else a single commit; each change records
 * the first successful production deployment that shipped it, so a redeploy adds no lead-time sample.
 */
export function deploymentOps(d: Dialect, options: { productionEnvironment: string }, derived: DerivedOps) {
  const UPSERT = `INSERT INTO deployments (source, external_id, service_id, environment, status, started_at, finished_at, sha, rollback_of, is_hotfix, url)
     VALUES (@source, @externalId, @service, @environment, @status, @startedAt, @finishedAt, @sha, @rollbackOf, @hotfix, @url)
     ON CONFLICT (source, external_id) DO UPDATE SET
       service_id = excluded.service_id, environment = excluded.environment, status = excluded.status,
       started_at = excluded.started_at, finished_at = excluded.finished_at, sha = excluded.sha,
       rollback_of_id = CASE WHEN deployments.rollback_of IS NOT DISTINCT FROM excluded.rollback_of THEN deployments.rollback_of_id END,
       rollback_of = excluded.rollback_of, is_hotfix = excluded.is_hotfix, url = excluded.url
     WHERE deployments.service_id IS DISTINCT FROM excluded.service_id OR deployments.environment IS DISTINCT FROM excluded.environment
       OR deployments.status IS DISTINCT FROM excluded.status OR deployments.started_at IS DISTINCT FROM excluded.started_at
       OR deployments.finished_at IS DISTINCT FROM excluded.finished_at OR deployments.sha IS DISTINCT FROM excluded.sha
       OR deployments.rollback_of IS DISTINCT FROM excluded.rollback_of OR deployments.is_hotfix IS DISTINCT FROM excluded.is_hotfix
       OR deployments.url IS DISTINCT FROM excluded.url
     RETURNING id, rollback_of_id`;
  const ID_OF = `SELECT id, rollback_of_id FROM deployments WHERE source = ? AND external_id = ?`;
  const UPSERT_CHANGE = `INSERT INTO changes (service_id, change_key, committed_at, pr_number, pr_opened_at, pr_first_review_at, pr_merged_at,
                          pr_size, pr_labels, pr_head_branch, pr_title, pr_author, pr_url)
     VALUES (@service, @key, @committedAt, @prNumber, @openedAt, @firstReviewAt, @mergedAt, @size, @labels, @headBranch, @title, @author, @url)
     ON CONFLICT (service_id, change_key) DO UPDATE SET
       committed_at = ${d.least("changes.committed_at", "excluded.committed_at")},
       pr_opened_at = coalesce(excluded.pr_opened_at, changes.pr_opened_at),
       pr_first_review_at = coalesce(excluded.pr_first_review_at, changes.pr_first_review_at),
       pr_merged_at = coalesce(excluded.pr_merged_at, changes.pr_merged_at),
       pr_size = coalesce(excluded.pr_size, changes.pr_size),
       pr_labels = coalesce(excluded.pr_labels, changes.pr_labels),
       pr_head_branch = coalesce(excluded.pr_head_branch, changes.pr_head_branch),
       pr_title = coalesce(excluded.pr_title, changes.pr_title),
       pr_author = coalesce(excluded.pr_author, changes.pr_author),
       pr_url = coalesce(excluded.pr_url, changes.pr_url)
     WHERE excluded.committed_at < changes.committed_at
       OR (excluded.pr_opened_at IS NOT NULL AND excluded.pr_opened_at IS DISTINCT FROM changes.pr_opened_at)
       OR (excluded.pr_first_review_at IS NOT NULL AND excluded.pr_first_review_at IS DISTINCT FROM changes.pr_first_review_at)
       OR (excluded.pr_merged_at IS NOT NULL AND excluded.pr_merged_at IS DISTINCT FROM changes.pr_merged_at)
       OR (excluded.pr_size IS NOT NULL AND excluded.pr_size IS DISTINCT FROM changes.pr_size)
       OR (excluded.pr_labels IS NOT NULL AND excluded.pr_labels IS DISTINCT FROM changes.pr_labels)
       OR (excluded.pr_head_branch IS NOT NULL AND excluded.pr_head_branch IS DISTINCT FROM changes.pr_head_branch)
       OR (excluded.pr_title IS NOT NULL AND excluded.pr_title IS DISTINCT FROM changes.pr_title)
       OR (excluded.pr_author IS NOT NULL AND excluded.pr_author IS DISTINCT FROM changes.pr_author)
       OR (excluded.pr_url IS NOT NULL AND excluded.pr_url IS DISTINCT FROM changes.pr_url)`;
  const CHANGE_ID_OF = `SELECT id FROM changes WHERE service_id = ? AND change_key = ?`;
  const LINK = `INSERT INTO deployment_changes (deployment_id, change_id, sha) VALUES (?, ?, ?)
     ON CONFLICT (deployment_id, sha) DO UPDATE SET change_id = excluded.change_id
     WHERE deployment_changes.change_id IS DISTINCT FROM excluded.change_id`;
  const UNLINK_STALE = `DELETE FROM deployment_changes WHERE deployment_id = ? AND sha NOT IN (${d.textList()}) RETURNING change_id`;
  const CHANGES_OF_DEPLOYMENT = `SELECT change_id FROM deployment_changes WHERE deployment_id = ?`;
  // Starts from the change's few rows (deployment_changes_change) and looks each deployment up by id,
  // never from an index over every production deployment. A correlated subquery rather than a join:
  // PostgreSQL plans a join's order itself, and while a bulk import outruns its statistics (PGlite
  // never gathers any) it scanned every successful deployment per change, 400 times slower.
  const FIRST_DEPLOYMENT = `SELECT id, finished_at FROM (
       SELECT dc.deployment_id AS id,
         (SELECT d.finished_at FROM deployments d WHERE d.id = dc.deployment_id AND d.status = 'success' AND d.environment = ?) AS finished_at
       FROM deployment_changes dc WHERE dc.change_id = ?) AS shipped
     WHERE finished_at IS NOT NULL
     ORDER BY finished_at, id LIMIT 1`;
  const CURRENT_FIRST = `SELECT first_deployment_id AS id, first_deployed_at AS finished_at, service_id FROM changes WHERE id = ?`;
  const SET_FIRST = `UPDATE changes SET first_deployment_id = ?, first_deployed_at = ? WHERE id = ?`;
  const RESOLVE_ROLLBACKS = `UPDATE deployments SET rollback_of_id = (
       SELECT t.id FROM deployments t
       WHERE t.source = deployments.source AND t.external_id = deployments.rollback_of AND t.id <> deployments.id)
     WHERE rollback_of IS NOT NULL AND rollback_of_id IS NULL
       AND EXISTS (SELECT 1 FROM deployments t
                   WHERE t.source = deployments.source AND t.external_id = deployments.rollback_of AND t.id <> deployments.id)
     RETURNING rollback_of_id`;
  const FINISHED_AT = `SELECT finished_at FROM deployments WHERE source = ? AND external_id = ?`;

  /**
   * `touched`: changes whose first deployment may differ now; `written`: changes whose own fields
   * changed. Returns how many rows it changed (the deployment's changes differ when any).
   */
  function* writeChanges(deploymentId: number, record: DeploymentRecord, touched: Set<number>, written: Set<number>): Sql<number> {
    let rowsChanged = 0;
    const changes = record.changes ?? [];
    for (const group of groupByChange(changes)) {
      const pr = group.pr;
      const result = yield* run(UPSERT_CHANGE, {
        service: record.service,
        key: group.key,
        committedAt: group.committedAtMs,
        prNumber: orNull(pr?.number),
        openedAt: orNull(pr?.openedAtMs),
        firstReviewAt: orNull(pr?.firstReviewAtMs),
        mergedAt: orNull(pr?.mergedAtMs),
        size: orNull(pr?.size),
        labels: pr?.labels ? JSON.stringify(pr.labels) : null,
        headBranch: orNull(pr?.headBranch),
        title: orNull(pr?.title),
        author: orNull(pr?.author),
        url: orNull(pr?.url),
      });
      rowsChanged += result.changes;
      const changeId = (yield* get<{ id: number }>(CHANGE_ID_OF, [record.service, group.key]))!.id;
      touched.add(changeId);
      if (result.changes > 0) written.add(changeId);
      for (const sha of group.shas) rowsChanged += (yield* run(LINK, [deploymentId, changeId, sha])).changes;
    }
    if (record.changes !== undefined) {
      const kept = JSON.stringify(changes.map((c) => c.sha));
      const unlinked = yield* column<number>(UNLINK_STALE, [deploymentId, kept]);
      rowsChanged += unlinked.length;
      for (const changeId of unlinked) touched.add(changeId);
    }
    return rowsChanged;
  }

  function* refreshFirstDeployments(changeIds: Iterable<number>, written: ReadonlySet<number>, touches: Touches): Sql<void> {
    for (const changeId of changeIds) {
      const first = (yield* get<FirstDeployment>(FIRST_DEPLOYMENT, [options.productionEnvironment, changeId])) ?? { id: null, finished_at: null };
      const current = yield* get<FirstDeployment & { service_id: string }>(CURRENT_FIRST, [changeId]);
      if (!current) continue;
      const moved = current.id !== first.id || current.finished_at !== first.finished_at;
      if (moved) yield* run(SET_FIRST, [first.id, first.finished_at, changeId]);
      if (moved || written.has(changeId)) {
        // The change's derived facts, and the stage sums of the day it left and the day it joined.
        touches.changeTouched(changeId);
        touches.stageDayTouched(current.service_id, current.finished_at);
        touches.stageDayTouched(current.service_id, first.finished_at);
      }
    }
  }

  return {
    *finishedAtOf(source: string, externalId: string): Sql<number | undefined> {
      return yield* value<number>(FINISHED_AT, [source, externalId]);
    },
    /** Upsert, with the derived data it changes (recorded in `touches`, else refreshed here). */
    *upsertMany(records: readonly DeploymentRecord[], touches?: Touches): Sql<WriteStats> {
      const t = touches ?? new Touches();
      const stats = emptyStats();
      const touchedChanges = new Set<number>();
      const writtenChanges = new Set<number>();
      for (const record of records) {
        let existing = yield* get<{ id: number; rollback_of_id: number | null }>(ID_OF, [record.source, record.externalId]);
        const written = yield* get<{ id: number; rollback_of_id: number | null }>(UPSERT, {
          source: record.source,
          externalId: record.externalId,
          service: record.service,
          environment: record.environment,
          status: record.status,
          startedAt: orNull(record.startedAtMs),
          finishedAt: record.finishedAtMs,
          sha: orNull(record.sha),
          rollbackOf: orNull(record.rollbackOf),
          hotfix: record.hotfix ? 1 : 0,
          url: orNull(record.url),
        });
        // On PostgreSQL another writer (a replica) may have inserted the same deployment between the
        // lookup and the upsert, which then found it identical: it is an existing deployment.
        if (!existing && !written) existing = yield* get<{ id: number; rollback_of_id: number | null }>(ID_OF, [record.source, record.externalId]);
        const id = existing?.id ?? written!.id;
        if (!existing) stats.inserted++;
        else if (written) stats.updated++;
        if (written) {
          // Its own facts, and the failure counts of the deployments it rolled back before and now.
          t.deploymentTouched(id);
          t.deploymentTouched(existing?.rollback_of_id);
          t.deploymentTouched(written.rollback_of_id);
        }
        if (existing && written) {
          // Status, time or environment may have changed: which deployment shipped a change first may too.
          for (const changeId of yield* column<number>(CHANGES_OF_DEPLOYMENT, [id])) touchedChanges.add(changeId);
        }
        const rowsChanged = yield* writeChanges(id, record, touchedChanges, writtenChanges);
        if (existing && !written) {
          // The row itself is the same; it still counts as updated if the changes it shipped differ.
          if (rowsChanged > 0) stats.updated++;
          else stats.unchanged++;
        }
      }
      yield* refreshFirstDeployments(touchedChanges, writtenChanges, t);
      for (const rolledBack of yield* column<number>(RESOLVE_ROLLBACKS)) t.deploymentTouched(rolledBack);
      if (touches === undefined) yield* derived.flush(t);
      return stats;
    },
  };
}

interface ChangeGroup {
  key: string;
  committedAtMs: number;
  shas: string[];
  pr: ChangeRecord["pr"];
}

/** Commits of one pull request form one change, timed at the PR's earliest commit. */
function groupByChange(changes: readonly ChangeRecord[]): ChangeGroup[] {
  const groups = new Map<string, ChangeGroup>();
  for (const change of changes) {
    const key = change.pr ? `pr:${change.pr.number}` : `sha:${change.sha}`;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { key, committedAtMs: change.committedAtMs, shas: [change.sha], pr: change.pr });
      continue;
    }
    group.committedAtMs = Math.min(group.committedAtMs, change.committedAtMs);
    if (!group.shas.includes(change.sha)) group.shas.push(change.sha);
    group.pr = { ...group.pr, ...definedOnly(change.pr) } as ChangeRecord["pr"];
  }
  return [...groups.values()];
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
