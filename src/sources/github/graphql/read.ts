import type { PullRequestInfo } from "../../../domain/records.js";
import type { GithubClient, RequestStats } from "../client.js";
import { deploymentEvent, firstReviewAtMs, ms, type DeploymentEvent, type DeploymentLike } from "../normalise.js";
import type { RepoTarget } from "../targets.js";
import { BranchHistory } from "./history.js";
import {
  associatedPullRequestsQuery,
  bulkQuery,
  bulkRequests,
  MAX_REQUESTS,
  PR_PAGE_MAX,
  STATUSES_MAX,
  type AssociatedPullRequestsData,
  type BulkData,
  type BulkParts,
  type GqlActor,
  type GqlDeployment,
  type GqlHistoryPage,
  type GqlPullRequest,
  type GqlStatuses,
  type RateLimitInfo,
} from "./queries.js";

// Bulk reads of one repository through GraphQL: its deployments newest first down to the cursor,
// the default branch's history with parents, the merged pull requests updated since the history
// starts and the status lists of deployments whose latest status does not settle them, packed
// together into queries of one point each. What they give is what the REST path would have asked for one request at a time; what
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
const POINTS_RESERVE = 10;

/**
 * One query, paced on GraphQL's own budget: when what is left after the last query is below the
 * reserve, wait until GitHub's reset time first. Secondary limits and RATE_LIMITED answers are
 * waited out by the throttling plugin (the client is shared with REST).
 */
async function runQuery<T extends { rateLimit: RateLimitInfo }>(runner: GraphqlRunner, query: string, variables: Record<string, unknown>): Promise<T> {
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
  /**
   * Merged PRs most recently updated first, read at least down to the first one updated before
   * `historyFromMs(oldest production deployment)` (the caller keeps those updated since).
   */
  readonly pulls: BulkPullRequest[];
}

export interface StoredOutcome {
  readonly status: "success" | "failure";
  readonly finished_at: number;
}

const SETTLED = new Set(["success", "failure", "error"]);

/**
 * Deployments created after `stopAtMs`, the default branch's history down to `historyFromMs`, the
 * merged PRs updated since then and the full status lists the deployments need, each query carrying
 * a page of every stream still going, sized to cost 1 point. `stored` answers for deployments
 * already written (asked once per production deployment listed).
 */
export async function readDeploymentsAndHistory(
  runner: GraphqlRunner,
  target: RepoTarget,
  stopAtMs: number,
  historyFromMs: (oldestDeploymentMs: number) => number,
  stored: (externalId: string) => StoredOutcome | undefined | Promise<StoredOutcome | undefined>,
): Promise<DeploymentListing> {
  const { owner, name, repo } = target;
  const history = new BranchHistory();
  const nodes: GqlDeployment[] = [];
  const isProduction = (d: GqlDeployment) => target.environment.test(d.environment ?? "");
  const known = new Map<string, StoredOutcome | undefined>();
  const isNew = (d: GqlDeployment) => isProduction(d) && !known.get(`${repo}:deployment:${d.databaseId}`);
  const pulls: BulkPullRequest[] = [];
  const statuses = new Map<number, GqlStatuses>();
  const unsettled: string[] = [];
  let deploymentsAfter: string | null = null;
  let historyAfter: string | null = null;
  let pullsAfter: string | null = null;
  let head: string | null = null;
  let withDeployments = true;
  // The first query reads a history page and PRs too: it costs 1 point either way, and an
  // incremental sync's new deployments usually need no more than that.
  let withHistory = true;
  let pullsGoing = true;
  let oldestPullUpdatedMs = Infinity;
  let historyBackToMs = Infinity;
  let historyDone = false;
  for (let first = true; ; first = false) {
    const parts: { -readonly [K in keyof BulkParts]: BulkParts[K] } = {};
    if (withDeployments) parts.deployments = { after: deploymentsAfter };
    if (withHistory) parts.history = { head: first ? null : head, after: historyAfter };
    let room = MAX_REQUESTS - bulkRequests(parts);
    if (pullsGoing && room >= 2) {
      parts.pulls = { first: Math.min(PR_PAGE_MAX, room - 1), after: pullsAfter };
      room -= 1 + parts.pulls.first;
    }
    if (unsettled.length > 0 && room >= 1) parts.statuses = { ids: unsettled.splice(0, Math.min(STATUSES_MAX, room)) };
    const { query, variables } = bulkQuery(owner, name, parts);
    const data: BulkData = await runQuery(runner, query, variables);
    const repository = data.repository;
    head ??= repository.defaultBranchRef?.target.oid ?? null;
    if (parts.deployments && repository.deployments) {
      const page = repository.deployments;
      const fresh = page.nodes.filter((d) => ms(d.createdAt) > stopAtMs);
      nodes.push(...fresh);
      for (const d of fresh) {
        const externalId = `${repo}:deployment:${d.databaseId}`;
        if (isProduction(d) && !known.has(externalId)) known.set(externalId, await stored(externalId));
      }
      // The latest status settles the outcome when it is success, failure or error (deploymentOutcome);
      // anything else (inactive after a success, queued, in progress) needs the full list.
      for (const d of fresh) if (isNew(d) && d.latestStatus && !SETTLED.has(d.latestStatus.state.toLowerCase())) unsettled.push(d.id);
      deploymentsAfter = page.pageInfo.endCursor;
      withDeployments = page.pageInfo.hasNextPage && fresh.length === page.nodes.length;
    }
    const historyPage: GqlHistoryPage | undefined = parts.history ? (first ? repository.head?.target.history : repository.object?.history) : undefined;
    if (historyPage) {
      history.add(
        historyPage.nodes.map((c) => ({ sha: c.oid, message: c.message, authoredAtIso: c.authoredDate, committedAtIso: c.committedDate, parents: c.parents.nodes.map((p) => p.oid) })),
      );
      historyAfter = historyPage.pageInfo.endCursor;
      const last = historyPage.nodes.at(-1);
      if (last) historyBackToMs = Math.min(historyBackToMs, ms(last.committedDate));
      if (!historyPage.pageInfo.hasNextPage) {
        historyDone = true;
        historyBackToMs = -Infinity;
      }
    } else if (parts.history) historyDone = true; // an empty repository
    if (parts.pulls && repository.pullRequests) {
      const page = repository.pullRequests;
      for (const pr of page.nodes) {
        oldestPullUpdatedMs = Math.min(oldestPullUpdatedMs, ms(pr.updatedAt));
        const bulk = bulkPullRequest(pr);
        if (bulk) pulls.push(bulk);
      }
      pullsAfter = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage) pullsGoing = false;
    }
    for (const s of data.statuses ?? []) if (s) statuses.set(s.databaseId, s);

    // The history is needed back to a bound that depends on the oldest deployment listed; it is read
    // alongside the deployments' pages and goes on alone once they are all in. PRs likewise, down to
    // the bound the caller keeps them from (production deployments only).
    const oldest = nodes.length > 0 ? Math.min(...nodes.map((d) => ms(d.createdAt))) : Infinity;
    const anyNew = nodes.some(isNew);
    const wantHistory = head !== null && !historyDone && anyNew;
    withHistory = wantHistory && (withDeployments || historyBackToMs >= historyFromMs(oldest));
    const production = nodes.filter(isProduction);
    const pullsFrom = production.length > 0 ? historyFromMs(Math.min(...production.map((d) => ms(d.createdAt)))) : Infinity;
    pullsGoing &&= withDeployments || (anyNew && oldestPullUpdatedMs >= pullsFrom);
    if (!withDeployments && !withHistory && !pullsGoing && unsettled.length === 0) break;
  }

  const production = nodes.filter(isProduction);
  const raw: DeploymentLike[] = production.map((d) => ({
    id: d.databaseId ?? 0,
    sha: d.commitOid,
    environment: d.environment ?? "",
    created_at: d.createdAt,
    url: `https://api.github.com/repos/${repo}/deployments/${d.databaseId}`,
  }));
  const events: DeploymentEvent[] = production.map((d, i) => {
    const like = raw[i]!;
    const externalId = `${repo}:deployment:${d.databaseId}`;
    const done = known.get(externalId);
    if (done) return { externalId, status: done.status, createdAtMs: ms(d.createdAt), finishedAtMs: done.finished_at, sha: d.commitOid };
    const latest = d.latestStatus?.state.toLowerCase();
    if (latest !== undefined && SETTLED.has(latest)) return deploymentEvent(repo, like, [{ state: latest, created_at: d.latestStatus!.createdAt }]);
    // A list of over 100 statuses is not used (as before: the event is built from none).
    const full = d.databaseId === null ? undefined : statuses.get(d.databaseId);
    const list = full?.statuses && !full.statuses.pageInfo.hasNextPage ? full.statuses.nodes.map((s) => ({ state: s.state.toLowerCase(), created_at: s.createdAt })) : [];
    return deploymentEvent(repo, like, list);
  });
  return { events, raw, history, historyBackToMs: historyDone ? -Infinity : historyBackToMs, pulls };
}

/** A merged pull request as the REST path reads it (the PR, its first 100 commits and reviews). */
interface BulkPullRequest {
  readonly info: PullRequestInfo;
  readonly updatedAtMs: number;
  readonly earliestCommitMs: number;
  /** Its merge commit and the commits it contains: how a commit without "(#n)" finds its PR. */
  readonly mergeCommit: string | undefined;
  readonly commitShas: readonly string[];
}

/** REST names an App's account `name[bot]`; GraphQL calls it a Bot with login `name`. */
const restLogin = (actor: GqlActor | null): string | undefined => (actor ? (actor.__typename === "Bot" ? `${actor.login}[bot]` : actor.login) : undefined);

function bulkPullRequest(pr: GqlPullRequest): BulkPullRequest | undefined {
  // A PR whose timeline runs past one page is left out: REST reads it.
  if (!pr.mergedAt || pr.timelineItems.pageInfo.hasNextPage) return undefined;
  const author = restLogin(pr.author);
  const commits: { oid: string; authoredDate: string; committedDate: string }[] = [];
  const reviews: { user: { login: string } | null; submitted_at: string | null; state: string }[] = [];
  // Its labels now: the labelling events replayed in time order (a label added again moves to the end).
  const labels: string[] = [];
  for (const item of pr.timelineItems.nodes) {
    if (item.__typename === "LabeledEvent" || item.__typename === "UnlabeledEvent") {
      const label = (item as { label: { name: string } | null }).label;
      if (!label) continue;
      const at = labels.indexOf(label.name);
      if (at >= 0) labels.splice(at, 1);
      if (item.__typename === "LabeledEvent") labels.push(label.name);
    } else if ("commit" in item) commits.push(item.commit);
    else if ("state" in item && "author" in item) {
      const login = restLogin(item.author);
      reviews.push({ user: login === undefined ? null : { login }, submitted_at: item.submittedAt, state: item.state });
    }
  }
  const commitTimes = commits.map((c) => ms(c.authoredDate ?? c.committedDate));
  return {
    updatedAtMs: ms(pr.updatedAt),
    earliestCommitMs: commitTimes.length > 0 ? Math.min(...commitTimes) : ms(pr.createdAt),
    mergeCommit: pr.mergeCommit?.oid,
    commitShas: commits.map((c) => c.oid),
    info: {
      number: pr.number,
      openedAtMs: ms(pr.createdAt),
      firstReviewAtMs: firstReviewAtMs(author, reviews),
      mergedAtMs: ms(pr.mergedAt),
      size: pr.additions + pr.deletions,
      labels,
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
