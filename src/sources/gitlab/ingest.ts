import type { AppDeps } from "../../app-deps.js";
import type { ChangeRecord, DeploymentRecord } from "../../domain/records.js";
import { changesOfCommits, forgeDeploymentRecord, ingestInOrder, type IngestTotals } from "../forge-ingest.js";
import type { DeploymentEvent } from "../github/normalise.js";
import type { GitlabClient } from "./client.js";
import { statusOf } from "./errors.js";
import { commitTimeMs, mergeRequestData, type GitlabCommit, type GitlabMergeRequest, type GitlabNote, type MrData } from "./normalise.js";
import type { ProjectTarget } from "./targets.js";

// The one ingestion path of the poller and the webhook, the GitHub connector's rules on GitLab's
// API: a finished deployment becomes a DeploymentRecord with the commits it shipped (the range from
// the previous successful production deployment's sha), their merge requests (asked of GitLab per
// commit, so squash and merge commits both resolve; "!123" in messages is not trusted), and the
// hotfix/rollback flags; each deployment is written in its own transaction.

export interface GitlabIngestContext {
  readonly deps: AppDeps;
  readonly api: GitlabClient;
  /** Merge requests read during this run, by iid (null: not merged or not found). */
  readonly mrs: Map<number, MrData | null>;
  /** Commits already known to belong to a merge request read in this run: no lookup needed. */
  readonly mrOfSha: Map<string, number>;
  readonly notes: string[];
}

export type { IngestTotals };

const SOURCE = "gitlab";
const PER_PAGE = 100;

export const newIngestContext = (deps: AppDeps, api: GitlabClient, notes: string[] = []): GitlabIngestContext => ({
  deps,
  api,
  mrs: new Map(),
  mrOfSha: new Map(),
  notes,
});

/** Finished events oldest first (each sees its predecessor in the store), one transaction each. */
export function ingestEvents(ctx: GitlabIngestContext, target: ProjectTarget, events: readonly DeploymentEvent[]): Promise<IngestTotals> {
  return ingestInOrder(ctx.deps, SOURCE, events, (event) => deploymentRecord(ctx, target, event));
}

function deploymentRecord(ctx: GitlabIngestContext, target: ProjectTarget, event: DeploymentEvent): Promise<DeploymentRecord> {
  return forgeDeploymentRecord(
    ctx.deps,
    SOURCE,
    target.service,
    event,
    (previousSha) => shippedCommits(ctx, target, event, previousSha),
    (commits) => changesOf(ctx, target, commits),
  );
}

/**
 * The commits this deployment shipped for the first time: the revision range previous..sha of the
 * commits API (paged, unlike the compare endpoint). An empty range with a different sha means the
 * deployment went back to an ancestor (GitHub's compare status "behind"). A project's first
 * deployment falls back to its history over `first_deployment_lookback_days` (0: changes skipped).
 */
async function shippedCommits(
  ctx: GitlabIngestContext,
  target: ProjectTarget,
  event: DeploymentEvent,
  previousSha: string | undefined,
): Promise<{ commits: GitlabCommit[] | undefined; behind: boolean }> {
  if (previousSha === event.sha) return { commits: [], behind: false };
  try {
    if (previousSha !== undefined) {
      const commits = (await ctx.api.Commits.all(target.project, { refName: `${previousSha}..${event.sha}`, perPage: PER_PAGE })) as unknown as GitlabCommit[];
      return { commits, behind: commits.length === 0 };
    }
    const days = ctx.deps.config.gitlab.first_deployment_lookback_days;
    ctx.deps.logger.info(
      { source: SOURCE, project: target.project, deployment: event.externalId, lookbackDays: days },
      days === 0 ? "first deployment of the project: changes skipped" : "first deployment of the project: changes bounded by the look-back",
    );
    if (days === 0) return { commits: undefined, behind: false };
    const commits = (await ctx.api.Commits.all(target.project, {
      refName: event.sha,
      since: new Date(event.finishedAtMs - days * 86_400_000).toISOString(),
      until: new Date(event.finishedAtMs).toISOString(),
      perPage: PER_PAGE,
    })) as unknown as GitlabCommit[];
    return { commits, behind: false };
  } catch (error) {
    // A sha force-pushed away: keep the deployment, say why it has no changes.
    if (statusOf(error) === 404 || statusOf(error) === 400) {
      ctx.notes.push(`${target.project}: could not list the commits of ${event.externalId} (GitLab answered ${statusOf(error)}); stored without changes`);
      return { commits: undefined, behind: false };
    }
    throw error;
  }
}

/** Changes of the shipped commits; a commit shipped before (e.g. again after a rollback) costs no request. */
function changesOf(ctx: GitlabIngestContext, target: ProjectTarget, commits: readonly GitlabCommit[]): Promise<ChangeRecord[]> {
  const read = (c: GitlabCommit) => ({ sha: c.id, committedAtMs: commitTimeMs(c) });
  return changesOfCommits(ctx.deps, target.service, commits, read, (c) => mergeRequestOfCommit(ctx, target, c.id));
}

async function mergeRequestOfCommit(ctx: GitlabIngestContext, target: ProjectTarget, sha: string): Promise<MrData | null> {
  let iid = ctx.mrOfSha.get(sha);
  if (iid === undefined) {
    // https://docs.gitlab.com/api/commits/#list-merge-requests-associated-with-a-commit
    const found = (await ctx.api.Commits.allMergeRequests(target.project, sha)) as unknown as GitlabMergeRequest[];
    iid = found.find((m) => m.state === "merged" && m.merged_at !== null)?.iid;
    if (iid === undefined) return null;
  }
  return mergeRequest(ctx, target, iid);
}

async function mergeRequest(ctx: GitlabIngestContext, target: ProjectTarget, iid: number): Promise<MrData | null> {
  const cached = ctx.mrs.get(iid);
  if (cached !== undefined) return cached;
  let mr: GitlabMergeRequest;
  try {
    mr = (await ctx.api.MergeRequests.show(target.project, iid)) as unknown as GitlabMergeRequest;
  } catch (error) {
    if (statusOf(error) === 404) {
      ctx.mrs.set(iid, null);
      return null;
    }
    throw error;
  }
  if (!mr.merged_at) {
    ctx.mrs.set(iid, null);
    return null;
  }
  const commits = (await ctx.api.MergeRequests.allCommits(target.project, iid, { perPage: PER_PAGE })) as unknown as GitlabCommit[];
  const notes = (await ctx.api.MergeRequestNotes.all(target.project, iid, { perPage: PER_PAGE, sort: "asc", orderBy: "created_at" })) as unknown as GitlabNote[];
  const data = mergeRequestData(mr, commits, notes, await landedSize(ctx, target, mr));
  ctx.mrs.set(iid, data);
  for (const sha of [...commits.map((c) => c.id), mr.merge_commit_sha, mr.squash_commit_sha]) if (sha) ctx.mrOfSha.set(sha, iid);
  return data;
}

/**
 * The MR's size in changed lines: GitLab's MR carries none, but the commit it landed as (squash or
 * merge commit) has `stats` against its first parent, which is the MR's diff. Unknown when absent.
 */
async function landedSize(ctx: GitlabIngestContext, target: ProjectTarget, mr: GitlabMergeRequest): Promise<number | undefined> {
  const landed = mr.squash_commit_sha ?? mr.merge_commit_sha;
  if (!landed) return undefined;
  try {
    const c = (await ctx.api.Commits.show(target.project, landed, { stats: true })) as unknown as { stats?: { additions: number; deletions: number } | null };
    return c.stats ? c.stats.additions + c.stats.deletions : undefined;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}
