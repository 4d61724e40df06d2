import type { AppDeps } from "../app-deps.js";
import type { ChangeRecord, DeploymentRecord, PullRequestInfo } from "../domain/records.js";
import { deliveryFlags } from "./delivery-rules.js";
import type { DeploymentEvent } from "./github/normalise.js";

// The ingestion steps both forge connectors (GitHub, GitLab) take, so the same history gives the
// same records whichever forge serves it: skip what is stored, write oldest first one transaction
// each, build a successful deployment's record from what it shipped, and reuse a commit's stored
// change. What differs (how the shipped commits and their PR/MR are read) is passed in.

/** The forges whose deployments these steps ingest. */
export type Forge = "github" | "gitlab";

export interface IngestTotals {
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

/** A merged PR/MR as a change needs it: its facts and the earliest commit that stands for it. */
export interface MergedChange {
  readonly info: PullRequestInfo;
  readonly earliestCommitMs: number;
}

/** A sync cursor to save together with a deployment's record (one unit of work in the store). */
export interface CursorToSave {
  readonly source: string;
  readonly key: string;
  readonly cursor: string;
  readonly etag: string | null;
  readonly atMs: number;
}

/** Already stored with the same outcome: nothing to ask the forge (this keeps a re-sync cheap). */
export async function isStored(deps: AppDeps, source: Forge, event: DeploymentEvent): Promise<boolean> {
  const stored = await deps.store.github.deployment(source, event.externalId);
  return stored !== undefined && stored.status === event.status && stored.finished_at === event.finishedAtMs;
}

/**
 * Finished events oldest first (each sees its predecessor in the store), each written in its own
 * unit of work together with the cursor `cursorAfter` gives (the caller's), so an interrupted run
 * loses nothing.
 */
export async function ingestInOrder(
  deps: AppDeps,
  source: Forge,
  events: readonly DeploymentEvent[],
  recordOf: (event: DeploymentEvent) => Promise<DeploymentRecord>,
  cursorAfter: (event: DeploymentEvent) => CursorToSave | undefined = () => undefined,
): Promise<IngestTotals> {
  const totals: IngestTotals = { fetched: 0, inserted: 0, updated: 0, unchanged: 0 };
  const ordered = events.filter((e) => e.status !== "pending").sort((a, b) => a.finishedAtMs - b.finishedAtMs || a.createdAtMs - b.createdAtMs);
  for (const event of ordered) {
    totals.fetched++;
    if (await isStored(deps, source, event)) {
      totals.unchanged++;
      const cursor = cursorAfter(event);
      if (cursor) await deps.store.syncState.saveCursor(cursor.source, cursor.key, cursor.cursor, cursor.etag, cursor.atMs);
      continue;
    }
    const record = await recordOf(event);
    const cursor = cursorAfter(event);
    const result = await deps.store.write([{ kind: "deployment", ...record }], cursor && { cursor });
    totals.inserted += result.deployments.inserted;
    totals.updated += result.deployments.updated;
    totals.unchanged += result.deployments.unchanged;
  }
  return totals;
}

export interface Shipped<C> {
  /** The commits shipped for the first time; undefined when they cannot be known (changes skipped). */
  readonly commits: C[] | undefined;
  /** The deployment went back to an ancestor of its predecessor's sha. */
  readonly behind: boolean;
}

/** A deployment's record: a failed one as is; a successful one with its changes and the hotfix/rollback flags. */
export async function forgeDeploymentRecord<C>(
  deps: AppDeps,
  source: Forge,
  service: string,
  event: DeploymentEvent,
  shippedSince: (previousSha: string | undefined) => Promise<Shipped<C>>,
  changesOf: (commits: readonly C[]) => Promise<ChangeRecord[]>,
): Promise<DeploymentRecord> {
  const environment = deps.config.production_environment;
  const base: DeploymentRecord = {
    source,
    externalId: event.externalId,
    service,
    environment,
    status: event.status === "success" ? "success" : "failure",
    finishedAtMs: event.finishedAtMs,
    startedAtMs: event.startedAtMs,
    sha: event.sha,
    url: event.url,
  };
  if (event.status !== "success") return base;

  const previous = await deps.store.github.previousSuccess(service, environment, event.finishedAtMs, event.externalId);
  const shipped = await shippedSince(previous?.sha ?? undefined);
  const changes = shipped.commits === undefined ? undefined : await changesOf(shipped.commits);
  const prs = (changes ?? []).flatMap((c) => (c.pr ? [c.pr] : []));
  const shippedBefore = () => deps.store.github.shaShippedBefore(service, environment, event.sha, event.finishedAtMs);
  return { ...base, changes, ...(await deliveryFlags(previous, event.sha, shipped.behind, shippedBefore, prs)) };
}

/**
 * The changes of shipped commits: one shipped before (again after a rollback) is taken from the
 * store without asking the forge; another from its commit time and its merged PR/MR, whose earliest
 * commit stands for it when older (squash safe).
 */
export async function changesOfCommits<C>(
  deps: AppDeps,
  service: string,
  commits: readonly C[],
  read: (commit: C) => { readonly sha: string; readonly committedAtMs: number },
  mergedChangeOf: (commit: C) => Promise<MergedChange | null>,
): Promise<ChangeRecord[]> {
  const changes: ChangeRecord[] = [];
  for (const c of commits) {
    const { sha, committedAtMs } = read(c);
    const known = await deps.store.github.changeOfSha(service, sha);
    if (known) {
      changes.push({ sha, committedAtMs: known.committed_at, pr: known.pr_number === null ? undefined : { number: known.pr_number } });
      continue;
    }
    const merged = await mergedChangeOf(c);
    changes.push(merged ? { sha, committedAtMs: Math.min(committedAtMs, merged.earliestCommitMs), pr: merged.info } : { sha, committedAtMs });
  }
  return changes;
}
