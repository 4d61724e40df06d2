import { statusOf } from "./client.js";
import { readCommitPullRequests, readDeploymentsAndHistory, type GraphqlRunner } from "./graphql/read.js";
import { ingestEvents, isStored, type IngestContext, type IngestTotals } from "./ingest.js";
import { deploymentEvent, isDeployWorkflow, ms, nextLink, prNumberFromMessage, releaseEvent, workflowRunEvent, type DeploymentEvent, type DeploymentLike } from "./normalise.js";
import { cursorKey, type RepoTarget } from "./targets.js";

// Incremental listing of one repo's deployments (Deployments API, Actions runs or releases). GitHub
// lists them newest first: page until an item is older than the cursor (or the backfill horizon).
// The first page is asked with If-None-Match, so a re-run with nothing new costs one request, which
// GitHub answers 304 and does not count against the rate limit.

/** Stored in sync_cursors.cursor as JSON. */
interface GithubCursor {
  /** Every deployment created at or before this is stored (or was not a deployment). */
  readonly doneThroughMs: number;
  /** Actions: the default branch, read once. */
  readonly defaultBranch?: string | undefined;
  /** Deployments API: deployments seen unfinished, re-checked while a 304 says the list is unchanged. */
  readonly pending?: readonly DeploymentLike[] | undefined;
}

/** Unfinished deployments older than this are taken as abandoned and stop holding the cursor back. */
const PENDING_MAX_AGE_MS = 3 * 86_400_000;

export async function syncTarget(ctx: IngestContext, target: RepoTarget, backfillDays: number | undefined): Promise<IngestTotals> {
  const { deps } = ctx;
  const key = cursorKey(target);
  const stored = await deps.store.syncState.cursor("github", key);
  const previous = stored?.cursor && backfillDays === undefined ? (JSON.parse(stored.cursor) as GithubCursor) : undefined;
  const nowMs = deps.now();
  const stopAtMs = previous?.doneThroughMs ?? nowMs - (backfillDays ?? deps.config.github.backfill_days) * 86_400_000;
  const etag = previous ? (stored?.etag ?? null) : null;

  const listing = await listSince(ctx, target, previous, stopAtMs, etag);
  if (listing.notModified) listing.raw = [...(previous?.pending ?? [])];
  const events = listing.notModified ? await recheckPending(ctx, target, listing.raw) : listing.events;

  // The cursor advances past an event once it and everything created before it is stored;
  // unfinished events (younger than PENDING_MAX_AGE_MS) hold it back so they are listed again.
  const blocking = events.filter((e) => e.status === "pending" && e.createdAtMs > nowMs - PENDING_MAX_AGE_MS);
  const holdBackMs = Math.min(...blocking.map((e) => e.createdAtMs - 1));
  const pending =
    target.source === "deployments"
      ? listing.raw
          .filter((d) => blocking.some((e) => e.externalId === `${target.repo}:deployment:${d.id}`))
          .map((d) => ({ id: Number(d.id), sha: d.sha, environment: d.environment, created_at: d.created_at, url: d.url }))
      : undefined;
  const defaultBranch = listing.defaultBranch;
  let doneThroughMs = previous?.doneThroughMs ?? stopAtMs;
  const cursorJson = (through: number) => JSON.stringify({ doneThroughMs: through, defaultBranch, pending: pending?.length ? pending : undefined } satisfies GithubCursor);

  const unwritten = new Set(events.filter((e) => e.status !== "pending"));
  const newestMs = Math.min(Math.max(doneThroughMs, ...events.map((e) => e.createdAtMs)), holdBackMs);
  const totals = await ingestEvents(ctx, target, events, (event) => {
    // The old ETag is kept until the run completes, so an interrupted run is listed again in full.
    unwritten.delete(event);
    const through = Math.min(unwritten.size > 0 ? Math.min(...[...unwritten].map((e) => e.createdAtMs)) - 1 : newestMs, holdBackMs);
    if (through <= doneThroughMs) return undefined;
    doneThroughMs = through;
    return { source: "github", key, cursor: cursorJson(through), etag: stored?.etag ?? null, atMs: nowMs };
  });
  const finalEtag = listing.notModified ? etag : listing.etag;
  // Nothing new: leave the row alone (a re-run writes nothing).
  if (stored?.cursor !== cursorJson(newestMs) || stored.etag !== finalEtag) await deps.store.syncState.saveCursor("github", key, cursorJson(newestMs), finalEtag, nowMs);
  return totals;
}

type Listing =
  | { notModified: true; defaultBranch?: string | undefined; raw: DeploymentLike[] }
  | { notModified: false; events: DeploymentEvent[]; etag: string | null; defaultBranch?: string | undefined; raw: DeploymentLike[] };

async function listSince(ctx: IngestContext, target: RepoTarget, previous: GithubCursor | undefined, stopAtMs: number, etag: string | null): Promise<Listing> {
  const { owner, name } = target;
  let defaultBranch = previous?.defaultBranch;
  let route: string;
  let params: Record<string, string | number> = { owner, repo: name, per_page: 100 };
  if (target.source === "deployments") route = "GET /repos/{owner}/{repo}/deployments";
  else if (target.source === "releases") route = "GET /repos/{owner}/{repo}/releases";
  else {
    if (!target.workflow) throw new Error(`service ${target.service}: github.workflow is required when github.source is "workflow" (e.g. deploy.yml)`);
    // Run objects carry no default branch: read it once and keep it in the cursor.
    defaultBranch ??= (await ctx.octokit.request("GET /repos/{owner}/{repo}", { owner, repo: name })).data.default_branch;
    params = { ...params, branch: defaultBranch };
    if (/\.ya?ml$/.test(target.workflow)) {
      route = "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs";
      params = { ...params, workflow_id: target.workflow };
    } else route = "GET /repos/{owner}/{repo}/actions/runs";
  }

  const raw: unknown[] = [];
  let response;
  try {
    response = await ctx.octokit.request(route, { ...params, headers: etag ? { "if-none-match": etag } : {} });
  } catch (error) {
    if (statusOf(error) === 304) return { notModified: true, defaultBranch, raw: [] };
    throw error;
  }
  const newEtag = response.headers.etag ?? null;
  if (target.source === "deployments" && ctx.graphql) {
    // The conditional REST request above says something changed; the rest is read in bulk.
    const listing = await listWithGraphql(ctx, ctx.graphql, target, stopAtMs);
    return { notModified: false, events: listing.events, etag: newEtag, defaultBranch, raw: listing.raw };
  }
  for (;;) {
    const data = response.data as unknown[] | { workflow_runs: unknown[] };
    const items = Array.isArray(data) ? data : data.workflow_runs;
    const fresh = items.filter((item) => ms((item as { created_at: string }).created_at) > stopAtMs);
    raw.push(...fresh);
    const next = nextLink(response.headers.link);
    if (!next || fresh.length < items.length) break;
    response = await ctx.octokit.request(`GET ${next}`);
  }
  const events = await toEvents(ctx, target, raw, defaultBranch ?? "");
  return { notModified: false, events, etag: newEtag, defaultBranch, raw: raw as DeploymentLike[] };
}

async function toEvents(ctx: IngestContext, target: RepoTarget, raw: unknown[], defaultBranch: string): Promise<DeploymentEvent[]> {
  const { owner, name, repo } = target;
  const events: DeploymentEvent[] = [];
  for (const item of raw) {
    if (target.source === "deployments") {
      const d = item as Parameters<typeof deploymentEvent>[1];
      if (!target.environment.test(d.environment)) continue;
      // A deployment stored as finished needs no status request.
      const stored = await ctx.deps.store.github.deployment("github", `${repo}:deployment:${d.id}`);
      if (stored) {
        events.push({ externalId: `${repo}:deployment:${d.id}`, status: stored.status, createdAtMs: ms(d.created_at), finishedAtMs: stored.finished_at, sha: d.sha });
        continue;
      }
      events.push(await withStatuses(ctx, target, d));
    } else if (target.source === "workflow") {
      const run = item as Parameters<typeof workflowRunEvent>[1];
      if (!isDeployWorkflow(run, target.workflow ?? "")) continue;
      const event = workflowRunEvent(repo, run, defaultBranch);
      if (event) events.push(event);
    } else {
      const release = item as Parameters<typeof releaseEvent>[1];
      if (release.draft && !release.prerelease) {
        // A draft may be published later: it holds the cursor back like an unfinished deployment.
        const createdAtMs = ms(release.created_at);
        events.push({ externalId: `${repo}:release:${release.id}`, status: "pending", createdAtMs, finishedAtMs: createdAtMs, sha: "" });
        continue;
      }
      const draft = releaseEvent(repo, release, "");
      if (!draft) continue;
      const storedRelease = await ctx.deps.store.github.deployment("github", draft.externalId);
      if (storedRelease?.sha) {
        events.push({ ...draft, sha: storedRelease.sha });
        continue;
      }
      // Releases name a tag, not a commit: resolve it (once; afterwards the stored sha is used).
      const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { owner, repo: name, ref: release.tag_name });
      events.push({ ...draft, sha: data.sha });
    }
  }
  return events;
}

async function withStatuses(ctx: IngestContext, target: RepoTarget, d: DeploymentLike): Promise<DeploymentEvent> {
  const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    owner: target.owner,
    repo: target.name,
    deployment_id: Number(d.id),
    per_page: 100,
  });
  return deploymentEvent(target.repo, d, data);
}

/** The list is unchanged, but a deployment seen unfinished may have a new status since. */
async function recheckPending(ctx: IngestContext, target: RepoTarget, pending: readonly DeploymentLike[]): Promise<DeploymentEvent[]> {
  const events: DeploymentEvent[] = [];
  for (const d of pending) events.push(await withStatuses(ctx, target, d));
  return events;
}

/**
 * Deployments API through GraphQL: the deployments since the cursor and the history and merged PRs
 * their changes need, read in bulk (packed queries, readDeploymentsAndHistory) and handed to the
 * ingestion (ctx.bulk), which asks REST only for what they do not cover.
 */
async function listWithGraphql(ctx: IngestContext, runner: GraphqlRunner, target: RepoTarget, stopAtMs: number) {
  const days = Math.max(ctx.deps.config.github.first_deployment_lookback_days, HISTORY_MARGIN_DAYS);
  const historyFrom = (oldestMs: number) => oldestMs - days * 86_400_000;
  const stored = (externalId: string) => ctx.deps.store.github.deployment("github", externalId);
  const listing = await readDeploymentsAndHistory(runner, target, stopAtMs, historyFrom, stored);
  let needed = false;
  for (const e of listing.events) {
    if (e.status === "success" && !(await isStored(ctx.deps, e))) {
      needed = true;
      break;
    }
  }
  if (!needed) return listing;
  const oldest = Math.min(...listing.events.map((e) => e.createdAtMs));
  const sinceMs = historyFrom(oldest);
  // Merged PRs updated since the history starts (a PR merged then was updated then).
  const prs = listing.pulls.filter((pr) => pr.updatedAtMs >= sinceMs);
  const prOfSha = new Map<string, number | null>();
  for (const pr of prs) ctx.prs.set(`${target.repo}#${pr.info.number}`, { info: pr.info, earliestCommitMs: pr.earliestCommitMs });
  // A commit that is some PR's merge commit belongs to that PR before any PR that merely contains it.
  for (const pr of prs) if (pr.mergeCommit && !prOfSha.has(pr.mergeCommit)) prOfSha.set(pr.mergeCommit, pr.info.number);
  for (const pr of prs) for (const sha of pr.commitShas) if (!prOfSha.has(sha)) prOfSha.set(sha, pr.info.number);
  const unnamed: string[] = [];
  for (const c of listing.history.commits()) {
    // A commit whose change is stored is answered by the store (changesOf) and needs no look-up.
    // (Older commits than the range, rarely shipped, are left to REST.)
    if (ms(c.committedAtIso) >= sinceMs && prNumberFromMessage(c.message) === undefined && !prOfSha.has(c.sha) && !(await ctx.deps.store.github.changeOfSha(target.service, c.sha))) unnamed.push(c.sha);
  }
  const associated = await readCommitPullRequests(runner, target, unnamed);
  ctx.bulk = { history: listing.history, historyBackToMs: listing.historyBackToMs, prOfSha: new Map([...prOfSha, ...associated]) };
  return listing;
}

/** History read before the oldest new deployment, at least: its predecessor's commit is usually in it. */
const HISTORY_MARGIN_DAYS = 7;
