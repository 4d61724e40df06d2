import type { PullRequestInfo } from "../../../domain/records.js";
import type { GithubClient, RequestStats } from "../client.js";
import { deploymentEvent, firstReviewAtMs, ms, type DeploymentEvent, type DeploymentLike } from "../normalise.js";
import type { RepoTarget } from "../targets.js";
import { BranchHistory } from "./history.js";
import {
  associatedPullRequestsQuery,
  DEPLOYMENT_STATUSES,
  DEPLOYMENTS_AND_HISTORY,
  PULL_REQUESTS,
  type AssociatedPullRequestsData,
  type DeploymentsAndHistoryData,
  type DeploymentStatusesData,
  type GqlActor,
  type GqlDeployment,
  type GqlPullRequest,
  type PullRequestsData,
  type RateLimitInfo,
} from "./queries.js";

// Bulk reads of one repository through GraphQL: its deployments newest first down to the cursor,
// the default branch's history with parents, and the merged pull requests updated since the history
// starts. What they give is what the REST path would have asked for one request at a time; what
// they cannot give (a PR merged before the range, a deployment of a sha off the default branch)
// is left to REST by the caller.

export interface GraphqlRunner {
  readonly octokit: GithubClient;
  readonly stats: RequestStats;
  /** Waits `seconds` (GitHub's seconds; tests scale them down like the throttling plugin's). */
  readonly wait: (seconds: number) => Promise<void>;
  /** The wall clock GitHub's reset times are on (not the app's injectable "now"). */
  readonly clock: () => number;
  budget?: RateLimitInfo;
}

/** Points kept in hand: below this, the next query waits for the budget to reset. */
export const POINTS_RESERVE = 10;

/**
 * One query, paced on GraphQL's own budget: when what is left after the last query is below the
 * reserve, wait until GitHub's reset time first. Secondary limits and RATE_LIMITED answers are
 * waited out by the throttling plugin (the client is shared with REST).
 */
export async function runQuery<T extends { rateLimit: RateLimitInfo }>(runner: GraphqlRunner, query: string, variables: Record<string, unknown>): Promise<T> {
  const budget = runner.budget;
  if (budget && budget.remaining < POINTS_RESERVE) {
    const seconds = Math.max(0, Math.ceil((Date.parse(budget.resetAt) - runner.clock()) / 1000) + 1);
    runner.stats.rateLimited++;
    await runner.wait(seconds);
  }
  const data = await runner.octokit.graphql<T>(query, variables);
  runner.budget = data.rateLimit;
  runner.stats.graphqlPoints = (runner.stats.graphqlPoints ?? 0) + data.rateLimit.cost;
  return data;
}

export interface DeploymentListing {
  /** Events for the production deployments created after `stopAtMs`, newest first. */
  readonly events: DeploymentEvent[];
  /** Their REST-shaped summaries (kept in the cursor while unfinished). */
  readonly raw: DeploymentLike[];
  readonly history: BranchHistory;
  /** How far back the history was read (commit time); the look-back needs it. */
  historyBackToMs: number;
}

export interface StoredOutcome {
  readonly status: "success" | "failure";
  readonly finished_at: number;
}

/**
 * Deployments created after `stopAtMs` and the default branch's history down to `historyFromMs`
 * (pages of both in one query while both go on). `stored` answers for deployments already written.
 */
export async function readDeploymentsAndHistory(
  runner: GraphqlRunner,
  target: RepoTarget,
  stopAtMs: number,
  historyFromMs: (oldestDeploymentMs: number) => number,
  stored: (externalId: string) => StoredOutcome | undefined,
): Promise<DeploymentListing> {
  const { owner, name, repo } = target;
  const history = new BranchHistory();
  const nodes: GqlDeployment[] = [];
  let deploymentsAfter: string | null = null;
  let historyAfter: string | null = null;
  let head: string | null = null;
  let withDeployments = true;
  let withHistory = false;
  let historyBackToMs = Infinity;
  let historyDone = false;
  for (;;) {
    const data: DeploymentsAndHistoryData = await runQuery(runner, DEPLOYMENTS_AND_HISTORY, {
      owner,
      name,
      deploymentsAfter,
      withDeployments,
      head,
      historyAfter,
      withHistory,
    });
    const repository = data.repository;
    head ??= repository.defaultBranchRef?.target.oid ?? null;
    if (withDeployments && repository.deployments) {
      const page = repository.deployments;
      const fresh = page.nodes.filter((d) => ms(d.createdAt) > stopAtMs);
      nodes.push(...fresh);
      deploymentsAfter = page.pageInfo.endCursor;
      withDeployments = page.pageInfo.hasNextPage && fresh.length === page.nodes.length;
    }
    if (withHistory && repository.object?.history) {
      const page = repository.object.history;
      history.add(
        page.nodes.map((c) => ({ sha: c.oid, message: c.message, authoredAtIso: c.authoredDate, committedAtIso: c.committedDate, parents: c.parents.nodes.map((p) => p.oid) })),
      );
      historyAfter = page.pageInfo.endCursor;
      const last = page.nodes.at(-1);
      if (last) historyBackToMs = Math.min(historyBackToMs, ms(last.committedDate));
      if (!page.pageInfo.hasNextPage) {
        historyDone = true;
        historyBackToMs = -Infinity;
      }
    }
    // The history is needed back to a bound that depends on the oldest deployment listed; it is read
    // alongside the deployments' pages and goes on alone once they are all in.
    const oldest = nodes.length > 0 ? Math.min(...nodes.map((d) => ms(d.createdAt))) : Infinity;
    const wantHistory = head !== null && !historyDone && nodes.some((d) => target.environment.test(d.environment ?? "") && !stored(`${repo}:deployment:${d.databaseId}`));
    withHistory = wantHistory && (withDeployments || historyBackToMs >= historyFromMs(oldest));
    if (!withDeployments && !withHistory) break;
  }

  const production = nodes.filter((d) => target.environment.test(d.environment ?? ""));
  const raw: DeploymentLike[] = production.map((d) => ({
    id: d.databaseId ?? 0,
    sha: d.commitOid,
    environment: d.environment ?? "",
    created_at: d.createdAt,
    url: `https://api.github.com/repos/${repo}/deployments/${d.databaseId}`,
  }));
  const events: DeploymentEvent[] = [];
  const unsettled: { node: GqlDeployment; like: DeploymentLike }[] = [];
  production.forEach((d, i) => {
    const like = raw[i]!;
    const externalId = `${repo}:deployment:${d.databaseId}`;
    const known = stored(externalId);
    if (known) {
      events.push({ externalId, status: known.status, createdAtMs: ms(d.createdAt), finishedAtMs: known.finished_at, sha: d.commitOid });
      return;
    }
    const latest = d.latestStatus?.state.toLowerCase();
    // The latest status settles the outcome when it is success, failure or error (deploymentOutcome);
    // anything else (inactive after a success, queued, in progress) needs the full list.
    if (latest === "success" || latest === "failure" || latest === "error") {
      events.push(deploymentEvent(repo, like, [{ state: latest, created_at: d.latestStatus!.createdAt }]));
    } else if (d.latestStatus === null) {
      events.push(deploymentEvent(repo, like, []));
    } else {
      events.push(deploymentEvent(repo, like, [])); // replaced below
      unsettled.push({ node: d, like });
    }
  });
  if (unsettled.length > 0) {
    const settled = await readStatuses(runner, repo, unsettled);
    for (const [i, e] of events.entries()) {
      const s = settled.get(e.externalId);
      if (s) events[i] = s;
    }
  }
  return { events, raw, history, historyBackToMs: historyDone ? -Infinity : historyBackToMs };
}

/** Full status lists, 100 deployments a query. One with over 100 statuses is left to REST (undefined). */
async function readStatuses(runner: GraphqlRunner, repo: string, unsettled: { node: GqlDeployment; like: DeploymentLike }[]): Promise<Map<string, DeploymentEvent>> {
  const out = new Map<string, DeploymentEvent>();
  for (let i = 0; i < unsettled.length; i += 100) {
    const batch = unsettled.slice(i, i + 100);
    const data: DeploymentStatusesData = await runQuery(runner, DEPLOYMENT_STATUSES, { ids: batch.map((b) => b.node.id) });
    data.nodes.forEach((n, j) => {
      const like = batch[j]!.like;
      if (!n?.statuses || n.statuses.pageInfo.hasNextPage) return;
      out.set(`${repo}:deployment:${like.id}`, deploymentEvent(repo, like, n.statuses.nodes.map((s) => ({ state: s.state.toLowerCase(), created_at: s.createdAt }))));
    });
  }
  return out;
}

/** A merged pull request as the REST path reads it (the PR, its first 100 commits and reviews). */
export interface BulkPullRequest {
  readonly info: PullRequestInfo;
  readonly earliestCommitMs: number;
  /** Its merge commit and the commits it contains: how a commit without "(#n)" finds its PR. */
  readonly mergeCommit: string | undefined;
  readonly commitShas: readonly string[];
}

/**
 * Merged pull requests updated at or after `sinceMs` (a PR merged then was updated then), most
 * recently updated first. A PR whose timeline or labels run past one page is left out: REST reads it.
 */
export async function readPullRequests(runner: GraphqlRunner, target: RepoTarget, sinceMs: number): Promise<BulkPullRequest[]> {
  const out: BulkPullRequest[] = [];
  let after: string | null = null;
  for (;;) {
    const data: PullRequestsData = await runQuery(runner, PULL_REQUESTS, { owner: target.owner, name: target.name, after });
    const page = data.repository.pullRequests;
    let older = false;
    for (const pr of page.nodes) {
      if (ms(pr.updatedAt) < sinceMs) {
        older = true;
        continue;
      }
      const bulk = bulkPullRequest(pr);
      if (bulk) out.push(bulk);
    }
    if (older || !page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return out;
}

/** REST names an App's account `name[bot]`; GraphQL calls it a Bot with login `name`. */
const restLogin = (actor: GqlActor | null): string | undefined => (actor ? (actor.__typename === "Bot" ? `${actor.login}[bot]` : actor.login) : undefined);

export function bulkPullRequest(pr: GqlPullRequest): BulkPullRequest | undefined {
  if (!pr.mergedAt || pr.timelineItems.pageInfo.hasNextPage || !pr.labels || pr.labels.pageInfo.hasNextPage) return undefined;
  const author = restLogin(pr.author);
  const commits: { oid: string; authoredDate: string; committedDate: string }[] = [];
  const reviews: { user: { login: string } | null; submitted_at: string | null; state: string }[] = [];
  for (const item of pr.timelineItems.nodes) {
    if ("commit" in item) commits.push(item.commit);
    else if ("state" in item && "author" in item) {
      const login = restLogin(item.author);
      reviews.push({ user: login === undefined ? null : { login }, submitted_at: item.submittedAt, state: item.state });
    }
  }
  const commitTimes = commits.map((c) => ms(c.authoredDate ?? c.committedDate));
  return {
    earliestCommitMs: commitTimes.length > 0 ? Math.min(...commitTimes) : ms(pr.createdAt),
    mergeCommit: pr.mergeCommit?.oid,
    commitShas: commits.map((c) => c.oid),
    info: {
      number: pr.number,
      openedAtMs: ms(pr.createdAt),
      firstReviewAtMs: firstReviewAtMs(author, reviews),
      mergedAtMs: ms(pr.mergedAt),
      size: pr.additions + pr.deletions,
      labels: pr.labels.nodes.map((l) => l.name),
      headBranch: pr.headRefName,
      title: pr.title,
      author,
      url: pr.url,
    },
  };
}

/** For each sha, the first merged PR GitHub associates with it, or null when none is. */
export async function readCommitPullRequests(runner: GraphqlRunner, target: RepoTarget, shas: readonly string[]): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  for (let i = 0; i < shas.length; i += 100) {
    const batch = shas.slice(i, i + 100);
    const variables: Record<string, unknown> = { owner: target.owner, name: target.name };
    batch.forEach((sha, j) => (variables[`c${j}`] = sha));
    const data: AssociatedPullRequestsData = await runQuery(runner, associatedPullRequestsQuery(batch.length), variables);
    batch.forEach((sha, j) => {
      const found = data.repository[`c${j}`]?.associatedPullRequests?.nodes.find((p) => p.mergedAt !== null);
      out.set(sha, found ? found.number : null);
    });
  }
  return out;
}
