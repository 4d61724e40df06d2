import type { ChangeRecord, DeploymentRecord } from "../domain/records.js";
import { Touches, type DerivedOps } from "./derived/engine.js";
import type { Dialect, RecordColumn } from "./sql/dialect.js";
import { all, column, run, type Sql } from "./sql/query.js";
import { keyOf, occurrenceWaves, type Indexed } from "./sql/waves.js";
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
type Existing = { id: number; rollback_of_id: number | null };

const DEPLOYMENT_COLUMNS: readonly RecordColumn[] = [
  ["i", "integer"], ["source", "text"], ["external_id", "text"], ["service_id", "text"], ["environment", "text"], ["status", "text"],
  ["started_at", "integer"], ["finished_at", "integer"], ["sha", "text"], ["rollback_of", "text"], ["is_hotfix", "integer"], ["url", "text"],
];
const CHANGE_COLUMNS: readonly RecordColumn[] = [
  ["i", "integer"], ["service_id", "text"], ["change_key", "text"], ["committed_at", "integer"], ["pr_number", "integer"], ["pr_opened_at", "integer"],
  ["pr_first_review_at", "integer"], ["pr_merged_at", "integer"], ["pr_size", "integer"], ["pr_labels", "text"], ["pr_head_branch", "text"],
  ["pr_title", "text"], ["pr_author", "text"], ["pr_url", "text"],
];
const LINK_COLUMNS: readonly RecordColumn[] = [["deployment_id", "integer"], ["change_id", "integer"], ["sha", "text"]];
const FIRST_COLUMNS: readonly RecordColumn[] = [["id", "integer"], ["first_id", "integer"], ["first_at", "integer"]];

/** One record's change, as written: the group it forms and the record (by batch index) it came with. */
interface ChangeWrite {
  readonly record: number;
  readonly service: string;
  readonly group: ChangeGroup;
}

/**
 * Deployments and the changes they shipped. A change is a pull request when known (its earliest
 * commit stands for it, which survives squash merges) or else a single commit; each change records
 * the first successful production deployment that shipped it, so a redeploy adds no lead-time sample.
 *
 * A batch is written with a few statements per wave (src/store/sql/waves.ts), in three phases that
 * read nothing another phase writes before it: the deployment rows (waves by deployment), the change
 * rows (waves by change, in batch order: a later record's PR title wins), then each deployment's
 * links to its changes (waves by deployment, as a link's state depends only on its deployment's
 * earlier records). The counts are those of writing the records one by one.
 */
export function deploymentOps(d: Dialect, options: { productionEnvironment: string }, derived: DerivedOps) {
  const EXISTING = `SELECT r.i, d.id, d.rollback_of_id FROM ${d.records("r", DEPLOYMENT_COLUMNS)}
     JOIN deployments d ON d.source = r.source AND d.external_id = r.external_id`;
  // RETURNING: the rows inserted or changed; none for an existing deployment written identically.
  const UPSERT = `INSERT INTO deployments (source, external_id, service_id, environment, status, started_at, finished_at, sha, rollback_of, is_hotfix, url)
     SELECT r.source, r.external_id, r.service_id, r.environment, r.status, r.started_at, r.finished_at, r.sha, r.rollback_of, r.is_hotfix, r.url
     FROM ${d.records("r", DEPLOYMENT_COLUMNS)} WHERE true ORDER BY r.i
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
     RETURNING source, external_id, id, rollback_of_id`;
  // RETURNING: the changes inserted or changed.
  const UPSERT_CHANGES = `INSERT INTO changes (service_id, change_key, committed_at, pr_number, pr_opened_at, pr_first_review_at, pr_merged_at,
                          pr_size, pr_labels, pr_head_branch, pr_title, pr_author, pr_url)
     SELECT r.service_id, r.change_key, r.committed_at, r.pr_number, r.pr_opened_at, r.pr_first_review_at, r.pr_merged_at,
            r.pr_size, r.pr_labels, r.pr_head_branch, r.pr_title, r.pr_author, r.pr_url
     FROM ${d.records("r", CHANGE_COLUMNS)} WHERE true ORDER BY r.i
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
       OR (excluded.pr_url IS NOT NULL AND excluded.pr_url IS DISTINCT FROM changes.pr_url)
     RETURNING service_id, change_key`;
  const CHANGE_IDS = `SELECT c.id, c.service_id, c.change_key FROM ${d.records("r", CHANGE_COLUMNS)}
     JOIN changes c ON c.service_id = r.service_id AND c.change_key = r.change_key`;
  // RETURNING: the links inserted or pointed at another change.
  const LINK = `INSERT INTO deployment_changes (deployment_id, change_id, sha)
     SELECT r.deployment_id, r.change_id, r.sha FROM ${d.records("r", LINK_COLUMNS)} WHERE true
     ON CONFLICT (deployment_id, sha) DO UPDATE SET change_id = excluded.change_id
     WHERE deployment_changes.change_id IS DISTINCT FROM excluded.change_id
     RETURNING deployment_id`;
  // The parameter lists every deployment whose changes are known, with each sha it shipped (and one
  // row with no sha, so that a deployment that shipped none is listed too).
  // NOT IN over the pairs (not NOT EXISTS): PostgreSQL hashes the subquery once rather than
  // scanning it per link, whatever the write's plan settings (Dialect.keyDrivenPlans).
  const UNLINK_STALE = `WITH kept AS (SELECT k.deployment_id, k.sha FROM ${d.records("k", LINK_COLUMNS)})
     DELETE FROM deployment_changes
     WHERE deployment_id IN (SELECT deployment_id FROM kept)
       AND (deployment_id, sha) NOT IN (SELECT deployment_id, sha FROM kept WHERE sha IS NOT NULL)
     RETURNING deployment_id, change_id`;
  const CHANGES_OF_DEPLOYMENTS = `SELECT change_id FROM deployment_changes WHERE deployment_id IN (${d.integerList()})`;
  // Starts from the changes' few rows (deployment_changes_change) and looks each deployment up by id,
  // never from an index over every production deployment. A correlated subquery rather than a join:
  // PostgreSQL plans a join's order itself, and while a bulk import outruns its statistics (PGlite
  // never gathers any) it scanned every successful deployment per change, 400 times slower.
  const SHIPPED = `SELECT change_id, id, finished_at FROM (
       SELECT dc.change_id, dc.deployment_id AS id,
         (SELECT d.finished_at FROM deployments d WHERE d.id = dc.deployment_id AND d.status = 'success' AND d.environment = ?) AS finished_at
       FROM deployment_changes dc WHERE dc.change_id IN (${d.integerList()})) AS shipped
     WHERE finished_at IS NOT NULL`;
  const CURRENT_FIRST = `SELECT id AS change_id, first_deployment_id AS id, first_deployed_at AS finished_at, service_id FROM changes WHERE id IN (${d.integerList()})`;
  const SET_FIRST = `UPDATE changes SET first_deployment_id = r.first_id, first_deployed_at = r.first_at
     FROM ${d.records("r", FIRST_COLUMNS)} WHERE changes.id = r.id`;
  const RESOLVE_ROLLBACKS = `UPDATE deployments SET rollback_of_id = (
       SELECT t.id FROM deployments t
       WHERE t.source = deployments.source AND t.external_id = deployments.rollback_of AND t.id <> deployments.id)
     WHERE rollback_of IS NOT NULL AND rollback_of_id IS NULL
       AND EXISTS (SELECT 1 FROM deployments t
                   WHERE t.source = deployments.source AND t.external_id = deployments.rollback_of AND t.id <> deployments.id)
     RETURNING rollback_of_id`;
  const FINISHED_AT = `SELECT r.i, d.finished_at FROM ${d.records("r", DEPLOYMENT_COLUMNS)}
     JOIN deployments d ON d.source = r.source AND d.external_id = r.external_id`;

  /** The deployments of one wave that exist now, by batch index. */
  function* existing(wave: readonly Indexed<DeploymentRecord>[]): Sql<Map<number, Existing>> {
    const rows = yield* all<Existing & { i: number }>(EXISTING, [deploymentsJson(wave)]);
    return new Map(rows.map((row) => [row.i, { id: row.id, rollback_of_id: row.rollback_of_id }]));
  }

  /** Per batch index: the row's id, and what it was before and after the write (undefined: absent / unchanged). */
  function* writeDeployments(records: readonly DeploymentRecord[], waves: readonly Indexed<DeploymentRecord>[][]) {
    const ids: number[] = new Array<number>(records.length);
    const before = new Map<number, Existing>();
    const written = new Map<number, Existing>();
    for (const wave of waves) {
      const found = yield* existing(wave);
      const rows = yield* all<Existing & { source: string; external_id: string }>(UPSERT, [deploymentsJson(wave)]);
      const byKey = new Map(rows.map((row) => [keyOf(row.source, row.external_id), row]));
      for (const { index, item } of wave) {
        const row = byKey.get(keyOf(item.source, item.externalId));
        if (row) written.set(index, { id: row.id, rollback_of_id: row.rollback_of_id });
        const was = found.get(index);
        if (was) before.set(index, was);
      }
      // On PostgreSQL another writer (a replica) may have inserted the same deployment between the
      // lookup and the upsert, which then found it identical: it is an existing deployment.
      const raced = wave.filter(({ index }) => !before.has(index) && !written.has(index));
      if (raced.length > 0) for (const [index, was] of yield* existing(raced)) before.set(index, was);
      for (const { index } of wave) ids[index] = (before.get(index) ?? written.get(index))!.id;
    }
    return { ids, before, written };
  }

  /** Per change write: whether it changed the change's row, and the change's id. */
  function* writeChanges(writes: readonly ChangeWrite[]): Sql<{ changed: boolean[]; ids: number[] }> {
    const changed: boolean[] = new Array<boolean>(writes.length).fill(false);
    const waves = occurrenceWaves(writes, (w) => keyOf(w.service, w.group.key));
    for (const wave of waves) {
      const rows = yield* all<{ service_id: string; change_key: string }>(UPSERT_CHANGES, [changesJson(wave)]);
      const changedKeys = new Set(rows.map((row) => keyOf(row.service_id, row.change_key)));
      for (const { index, item } of wave) changed[index] = changedKeys.has(keyOf(item.service, item.group.key));
    }
    // Every change of the batch is in the first wave.
    const firsts = waves[0] ?? [];
    const idRows = firsts.length > 0 ? yield* all<{ id: number; service_id: string; change_key: string }>(CHANGE_IDS, [changesJson(firsts)]) : [];
    const idOf = new Map(idRows.map((row) => [keyOf(row.service_id, row.change_key), row.id]));
    return { changed, ids: writes.map((w) => idOf.get(keyOf(w.service, w.group.key))!) };
  }

  function* refreshFirstDeployments(changeIds: ReadonlySet<number>, written: ReadonlySet<number>, touches: Touches): Sql<void> {
    if (changeIds.size === 0) return;
    const list = JSON.stringify([...changeIds]);
    // The first shipment of each change: the earliest successful production deployment, ties by id.
    const first = new Map<number, FirstDeployment>();
    for (const row of yield* all<FirstDeployment & { change_id: number; id: number; finished_at: number }>(SHIPPED, [options.productionEnvironment, list])) {
      const best = first.get(row.change_id);
      if (!best || row.finished_at < best.finished_at! || (row.finished_at === best.finished_at && row.id < best.id!)) first.set(row.change_id, { id: row.id, finished_at: row.finished_at });
    }
    const current = new Map<number, FirstDeployment & { service_id: string }>();
    for (const row of yield* all<FirstDeployment & { change_id: number; service_id: string }>(CURRENT_FIRST, [list])) current.set(row.change_id, row);
    const moves: { id: number; first_id: number | null; first_at: number | null }[] = [];
    for (const changeId of changeIds) {
      const now = first.get(changeId) ?? { id: null, finished_at: null };
      const was = current.get(changeId);
      if (!was) continue;
      const moved = was.id !== now.id || was.finished_at !== now.finished_at;
      if (moved) moves.push({ id: changeId, first_id: now.id, first_at: now.finished_at });
      if (moved || written.has(changeId)) {
        // The change's derived facts, and the stage sums of the day it left and the day it joined.
        touches.changeTouched(changeId);
        touches.stageDayTouched(was.service_id, was.finished_at);
        touches.stageDayTouched(was.service_id, now.finished_at);
      }
    }
    if (moves.length > 0) yield* run(SET_FIRST, [JSON.stringify(moves)]);
  }

  return {
    /** finished_at of each deployment named (source, external id), by position; undefined when absent. */
    *finishedAtOf(keys: readonly { source: string; externalId: string }[]): Sql<(number | undefined)[]> {
      const out: (number | undefined)[] = new Array<number | undefined>(keys.length).fill(undefined);
      if (keys.length === 0) return out;
      const json = JSON.stringify(keys.map((k, i) => ({ i, source: k.source, external_id: k.externalId })));
      for (const row of yield* all<{ i: number; finished_at: number }>(FINISHED_AT, [json])) out[row.i] = row.finished_at;
      return out;
    },
    /** Upsert, with the derived data it changes (recorded in `touches`, else refreshed here). */
    /** …and the ids of the existing deployments whose own row changed (their incidents' links may no longer hold). */
    *upsertMany(records: readonly DeploymentRecord[], touches?: Touches): Sql<WriteStats & { rewrittenIds: number[] }> {
      const t = touches ?? new Touches();
      const stats = { ...emptyStats(), rewrittenIds: [] as number[] };
      if (records.length === 0) return stats;
      const waves = occurrenceWaves(records, (r) => keyOf(r.source, r.externalId));
      const { ids, before, written } = yield* writeDeployments(records, waves);

      const changeWrites: ChangeWrite[] = [];
      const changeWritesOf: number[][] = records.map(() => []);
      records.forEach((record, index) => {
        for (const group of groupByChange(record.changes ?? [])) changeWritesOf[index]!.push(changeWrites.push({ record: index, service: record.service, group }) - 1);
      });
      const changes = yield* writeChanges(changeWrites);

      const touchedChanges = new Set<number>();
      const writtenChanges = new Set<number>();
      // Rows of changes and links each record changed: an existing deployment written identically
      // still counts as updated when the changes it shipped differ.
      const rowsChanged: number[] = records.map(() => 0);
      changeWrites.forEach((w, k) => {
        touchedChanges.add(changes.ids[k]!);
        if (changes.changed[k]) {
          writtenChanges.add(changes.ids[k]!);
          rowsChanged[w.record]!++;
        }
      });
      const recordOfWave = new Map<number, number>();
      for (const wave of waves) {
        recordOfWave.clear();
        for (const { index } of wave) recordOfWave.set(ids[index]!, index);
        // Status, time or environment may have changed: which deployment shipped a change first may
        // too. And a link may move to another change (a commit now listed without its PR, or under
        // another): the change it leaves may lose its first deployment.
        const rewritten = wave
          .filter(({ index, item }) => before.has(index) && (written.has(index) || (item.changes?.length ?? 0) > 0))
          .map(({ index }) => ids[index]!);
        if (rewritten.length > 0) for (const changeId of yield* column<number>(CHANGES_OF_DEPLOYMENTS, [JSON.stringify(rewritten)])) touchedChanges.add(changeId);

        const links = wave.flatMap(({ index }) =>
          changeWritesOf[index]!.flatMap((k) => changeWrites[k]!.group.shas.map((sha) => ({ deployment_id: ids[index]!, change_id: changes.ids[k]!, sha }))),
        );
        // The same sha twice in one deployment's changes (with and without its PR) is linked twice, in order.
        for (const linkWave of occurrenceWaves(links, (l) => keyOf(l.deployment_id, l.sha))) {
          for (const deploymentId of yield* column<number>(LINK, [JSON.stringify(linkWave.map((l) => l.item))])) rowsChanged[recordOfWave.get(deploymentId)!]!++;
        }
        const kept = wave
          .filter(({ item }) => item.changes !== undefined)
          .flatMap(({ index, item }) => [{ deployment_id: ids[index]!, sha: null }, ...item.changes!.map((c) => ({ deployment_id: ids[index]!, sha: c.sha }))]);
        if (kept.length > 0) {
          for (const row of yield* all<{ deployment_id: number; change_id: number }>(UNLINK_STALE, [JSON.stringify(kept)])) {
            rowsChanged[recordOfWave.get(row.deployment_id)!]!++;
            touchedChanges.add(row.change_id);
          }
        }
      }

      records.forEach((_, index) => {
        const was = before.get(index);
        const now = written.get(index);
        if (!was) stats.inserted++;
        else if (now) {
          stats.updated++;
          stats.rewrittenIds.push(ids[index]!);
        }
        else if (rowsChanged[index]! > 0) stats.updated++;
        else stats.unchanged++;
        if (now) {
          // Its own facts, and the failure counts of the deployments it rolled back before and now.
          t.deploymentTouched(ids[index]);
          t.deploymentTouched(was?.rollback_of_id);
          t.deploymentTouched(now.rollback_of_id);
        }
      });
      yield* refreshFirstDeployments(touchedChanges, writtenChanges, t);
      for (const rolledBack of yield* column<number>(RESOLVE_ROLLBACKS)) t.deploymentTouched(rolledBack);
      if (touches === undefined) yield* derived.flush(t);
      return stats;
    },
  };
}

function deploymentsJson(wave: readonly Indexed<DeploymentRecord>[]): string {
  return JSON.stringify(
    wave.map(({ index, item }) => ({
      i: index,
      source: item.source,
      external_id: item.externalId,
      service_id: item.service,
      environment: item.environment,
      status: item.status,
      started_at: orNull(item.startedAtMs),
      finished_at: item.finishedAtMs,
      sha: orNull(item.sha),
      rollback_of: orNull(item.rollbackOf),
      is_hotfix: item.hotfix ? 1 : 0,
      url: orNull(item.url),
    })),
  );
}

function changesJson(wave: readonly Indexed<ChangeWrite>[]): string {
  return JSON.stringify(
    wave.map(({ index, item: { service, group } }) => {
      const pr = group.pr;
      return {
        i: index,
        service_id: service,
        change_key: group.key,
        committed_at: group.committedAtMs,
        pr_number: orNull(pr?.number),
        pr_opened_at: orNull(pr?.openedAtMs),
        pr_first_review_at: orNull(pr?.firstReviewAtMs),
        pr_merged_at: orNull(pr?.mergedAtMs),
        pr_size: orNull(pr?.size),
        pr_labels: pr?.labels ? JSON.stringify(pr.labels) : null,
        pr_head_branch: orNull(pr?.headBranch),
        pr_title: orNull(pr?.title),
        pr_author: orNull(pr?.author),
        pr_url: orNull(pr?.url),
      };
    }),
  );
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
