import type { AppDeps } from "../../app-deps.js";
import type { ChangeRecord, DeploymentRecord } from "../../domain/records.js";
import { statusOf, type GithubClient } from "./client.js";
import { earliestCommitMs } from "../delivery-rules.js";
import { changesOfCommits, forgeDeploymentRecord, ingestInOrder, isStored as isStoredIn, type CursorToSave, type IngestTotals, type MergedChange } from "../forge-ingest.js";
import { firstReviewAtMs, ms, nextLink, prNumberFromMessage, type DeploymentEvent } from "./normalise.js";
import type { BranchHistory, CommitLike } from "./graphql/history.js";
import type { GraphqlRunner } from "./graphql/read.js";
import type { RepoTarget } from "./targets.js";

// The one ingestion path shared by the poller and the webhook: a finished deployment event becomes a
// DeploymentRecord with the commits it shipped (compare with the previous successful production
// deployment), their pull requests, and the hotfix/rollback flags; then it is written.

export interface IngestContext {
  readonly deps: AppDeps;
  readonly octokit: GithubClient;
  /** Pull requests fetched during this run (one set of requests per PR, however many commits). */
  readonly prs: Map<string, PrData | null>;
  readonly notes: string[];
  /** History read in bulk (GraphQL): compares and PR look-ups are answered from it where it can. */
  bulk?: BulkRepo | undefined;
  /** Set when the sync reads through GraphQL (`github.api: graphql`). */
  readonly graphql?: GraphqlRunner | undefined;
}

interface BulkRepo {
  readonly history: BranchHistory;
  /** Commit time the history was read back to (-Infinity: all of it). */
  readonly historyBackToMs: number;
  /** Merge commits, PR commits and GitHub's associations → the merged PR that brought them (null: none). */
  readonly prOfSha: ReadonlyMap<string, number | null>;
}

export type { IngestTotals };
type PrData = MergedChange;


/** Already stored with the same outcome: nothing to ask GitHub (this is what keeps a re-sync cheap). */
export const isStored = (deps: AppDeps, event: DeploymentEvent): Promise<boolean> => isStoredIn(deps, "github", event);

/**
 * Ingest finished events oldest first (each sees its predecessor in the store), each written in its
 * own unit of work together with the cursor `cursorAfter` gives, so an interrupted run loses nothing.
 */
export function ingestEvents(
  ctx: IngestContext,
  target: RepoTarget,
  events: readonly DeploymentEvent[],
  cursorAfter: (event: DeploymentEvent) => CursorToSave | undefined = () => undefined,
): Promise<IngestTotals> {
  return ingestInOrder(ctx.deps, "github", events, (event) => deploymentRecord(ctx, target, event), cursorAfter);
}

function deploymentRecord(ctx: IngestContext, target: RepoTarget, event: DeploymentEvent): Promise<DeploymentRecord> {
  return forgeDeploymentRecord(
    ctx.deps,
    "github",
    target.service,
    event,
    (previousSha) => shippedCommits(ctx, target, event, previousSha),
    (commits) => changesOf(ctx, target, commits),
  );
}

/**
 * The commits this deployment shipped for the first time: compare with the previous successful
 * production deployment (paged, so past the 250 commits an unpaged compare stops at). A repo's
 * first deployment has no predecessor: its branch history over `first_deployment_lookback_days`
 * stands in, or with 0 its changes are skipped (undefined).
 */
async function shippedCommits(
  ctx: IngestContext,
  target: RepoTarget,
  event: DeploymentEvent,
  previousSha: string | undefined,
): Promise<{ commits: CommitLike[] | undefined; behind: boolean }> {
  const { owner, name } = target;
  if (previousSha === event.sha) return { commits: [], behind: false };
  try {
    if (previousSha !== undefined) {
      const local = ctx.bulk?.history.compare(previousSha, event.sha);
      if (local) return local;
      const compared = await pagedCommits(ctx, "GET /repos/{owner}/{repo}/compare/{basehead}", { owner, repo: name, basehead: `${previousSha}...${event.sha}` });
      return { commits: compared.commits, behind: compared.status === "behind" };
    }
    const days = ctx.deps.config.github.first_deployment_lookback_days;
    ctx.deps.logger.info(
      { source: "github", repo: target.repo, deployment: event.externalId, lookbackDays: days },
      days === 0 ? "first deployment of the repo: changes skipped" : "first deployment of the repo: changes bounded by the look-back",
    );
    if (days === 0) return { commits: undefined, behind: false };
    const local = ctx.bulk?.history.historyOf(event.sha, event.finishedAtMs - days * 86_400_000, event.finishedAtMs, ctx.bulk.historyBackToMs);
    if (local) return { commits: local, behind: false };
    const history = await pagedCommits(ctx, "GET /repos/{owner}/{repo}/commits", {
      owner,
      repo: name,
      sha: event.sha,
      since: new Date(event.finishedAtMs - days * 86_400_000).toISOString(),
      until: new Date(event.finishedAtMs).toISOString(),
    });
    return { commits: history.commits, behind: false };
  } catch (error) {
    // A sha force-pushed away or a deleted branch: keep the deployment, say why it has no changes.
    if (statusOf(error) === 404 || statusOf(error) === 422) {
      ctx.notes.push(`${target.repo}: could not list the commits of ${event.externalId} (GitHub answered ${statusOf(error)}); stored without changes`);
      return { commits: undefined, behind: false };
    }
    throw error;
  }
}

/** All pages of a commit list or a compare (whose `status` says whether head is behind base). */
async function pagedCommits(ctx: IngestContext, route: string, params: Record<string, string>): Promise<{ commits: CommitLike[]; status?: string }> {
  const commits: CommitLike[] = [];
  let status: string | undefined;
  let response = await ctx.octokit.request(route, { ...params, per_page: 100 });
  for (;;) {
    const data = response.data as CommitLike[] | { commits: CommitLike[]; status: string };
    if (Array.isArray(data)) commits.push(...data);
    else {
      commits.push(...data.commits);
      status = data.status;
    }
    const next = nextLink(response.headers.link);
    if (!next) break;
    response = await ctx.octokit.request(`GET ${next}`);
  }
  return { commits, status };
}

/** Changes of the shipped commits; a commit shipped before (e.g. again after a rollback) costs no request. */
function changesOf(ctx: IngestContext, target: RepoTarget, commits: readonly CommitLike[]): Promise<ChangeRecord[]> {
  const read = (c: CommitLike) => ({ sha: c.sha, committedAtMs: ms(c.commit.author?.date ?? c.commit.committer?.date ?? "") });
  return changesOfCommits(ctx.deps, target.service, commits, read, (c) => prOfCommit(ctx, target, c));
}

async function prOfCommit(ctx: IngestContext, target: RepoTarget, c: CommitLike): Promise<PrData | null> {
  let number = prNumberFromMessage(c.commit.message);
  if (number === undefined) {
    const local = ctx.bulk?.prOfSha.get(c.sha);
    if (local === null) return null;
    number = local;
  }
  if (number === undefined) {
    // Rebase merges name no PR: ask GitHub which merged PR brought this commit.
    const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner: target.owner, repo: target.name, commit_sha: c.sha });
    number = (data as { number: number; merged_at: string | null }[]).find((p) => p.merged_at !== null)?.number;
    if (number === undefined) return null;
  }
  return pullRequest(ctx, target, number);
}

async function pullRequest(ctx: IngestContext, target: RepoTarget, number: number): Promise<PrData | null> {
  const key = `${target.repo}#${number}`;
  const cached = ctx.prs.get(key);
  if (cached !== undefined) return cached;
  const params = { owner: target.owner, repo: target.name, pull_number: number };
  let pr;
  try {
    pr = (await ctx.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", params)).data;
  } catch (error) {
    // "(#12)" may name an issue or a PR of another repository.
    if (statusOf(error) === 404) {
      ctx.prs.set(key, null);
      return null;
    }
    throw error;
  }
  if (!pr.merged_at) {
    ctx.prs.set(key, null);
    return null;
  }
  const reviews = (await ctx.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", { ...params, per_page: 100 })).data;
  const prCommits = (await ctx.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", { ...params, per_page: 100 })).data;
  const author = pr.user?.login;
  const commitTimes = prCommits.map((c) => ms(c.commit.author?.date ?? c.commit.committer?.date ?? pr.created_at));
  const data: PrData = {
    earliestCommitMs: earliestCommitMs(commitTimes, ms(pr.created_at)),
    info: {
      number: pr.number,
      openedAtMs: ms(pr.created_at),
      firstReviewAtMs: firstReviewAtMs(author, reviews),
      mergedAtMs: ms(pr.merged_at),
      size: pr.additions + pr.deletions,
      labels: pr.labels.map((l) => l.name),
      headBranch: pr.head.ref,
      title: pr.title,
      author,
      url: pr.html_url,
    },
  };
  ctx.prs.set(key, data);
  return data;
}
