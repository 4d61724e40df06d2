import type { AppDeps } from "../../app-deps.js";
import { hostOf, httpCause, networkCause, type FailureCause } from "../errors.js";
import { targetFailures } from "../target-failures.js";
import type { SyncOptions, SyncReport, SyncSource } from "../types.js";
import { githubAuthFromEnv, githubClientCache, statusOf, type GithubClient, type GithubClientFor, type GithubClientOptions, type RequestStats } from "./client.js";
import type { IngestContext } from "./ingest.js";
import { syncTarget } from "./sync.js";
import { cursorKey, repoTargets } from "./targets.js";

// `vitals sync github` and the scheduled sync: every configured repo, one after the other. A repo
// that fails is recorded on its cursor and reported; the others still sync.

/**
 * The GitHub source over a client kept between runs (`clientFor`: the composition root passes the
 * one the webhook uses too; by default a cache of its own), so an App's installation token is reused.
 */
export function createGithubSource(clientOptions: GithubClientOptions = {}, clientFor: GithubClientFor = githubClientCache(clientOptions)): SyncSource {
  return {
    name: "github",
    configured: ({ env, config }) => githubAuthFromEnv(env).kind !== "none" && repoTargets(config).length > 0,
    sync: (deps, options) => syncGithub(deps, options ?? {}, clientFor, clientOptions),
  };
}

type ClientFor = (deps: AppDeps) => { octokit: GithubClient; stats: RequestStats };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function syncGithub(deps: AppDeps, options: SyncOptions, clientFor: ClientFor, clientOptions: GithubClientOptions): Promise<SyncReport> {
  const report = { source: "github", fetched: 0, inserted: 0, updated: 0, unchanged: 0, notes: [] as string[] };
  const auth = githubAuthFromEnv(deps.env);
  if (auth.kind === "none") return { ...report, notes: [`GitHub is not configured: ${auth.reason}`] };
  const targets = repoTargets(deps.config);
  if (targets.length === 0) return { ...report, notes: ["no service in the config file has a github.repo"] };

  const tally = targetFailures(deps, "github", hostOf(deps.env.GITHUB_API_URL), "repo");
  for (const target of targets) {
    if (options.signal?.aborted) break;
    const subject = `${target.repo} (${target.source})`;
    if (await tally.skipped(cursorKey(target), subject)) continue;
    const { octokit, stats: total } = clientFor(deps);
    const before = { ...total };
    const delta = (): RequestStats => ({
      requests: total.requests - before.requests,
      notModified: total.notModified - before.notModified,
      rateLimited: total.rateLimited - before.rateLimited,
      graphqlPoints: (total.graphqlPoints ?? 0) - (before.graphqlPoints ?? 0),
    });
    const graphql = deps.config.github.api === "graphql" ? { octokit, stats: total, clock: Date.now, wait: (seconds: number) => sleep(seconds * (clientOptions.retryAfterBaseValue ?? 1000)) } : undefined;
    const ctx: IngestContext = { deps, octokit, prs: new Map(), notes: report.notes, graphql };
    const log = deps.logger.child({ source: "github", repo: target.repo, deploymentSource: target.source });
    try {
      const totals = await syncTarget(ctx, target, options.backfillDays);
      report.fetched += totals.fetched;
      report.inserted += totals.inserted;
      report.updated += totals.updated;
      report.unchanged += totals.unchanged;
      const stats = delta();
      log.info({ ...totals, ...stats }, "GitHub sync done");
      if (stats.rateLimited > 0) report.notes.push(`${target.repo}: hit the GitHub rate limit ${stats.rateLimited} time(s) and waited as told`);
    } catch (error) {
      const cause = describe(error, target.repo);
      // The stack only at debug level: the failure line says what a person needs.
      log.debug({ err: error, ...delta() }, "GitHub sync failed");
      log.info({ cause: cause.words, ...delta() }, "GitHub sync failed");
      await tally.failed(cursorKey(target), subject, cause, cause.status === undefined);
    }
  }
  return { ...report, failures: tally.failures };
}

/** What to tell a person: the network cause, or the status and what GitHub said, never a token or a stack. */
function describe(error: unknown, repo: string): FailureCause {
  const network = networkCause(error);
  if (network) return network;
  const status = statusOf(error);
  // A GraphQL answer with errors: GitHub's messages (the first line of Octokit's says only that there were some).
  const graphqlErrors = typeof error === "object" && error !== null && "errors" in error && Array.isArray(error.errors) ? (error.errors as { message?: string }[]) : undefined;
  if (graphqlErrors) return { kind: "http", status: 200, words: `GitHub's GraphQL API answered: ${graphqlErrors.map((e) => e.message ?? "error").join("; ")}` };
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (status === undefined) return { kind: "http", words: message ?? "unknown error" };
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
  const reset = Number(headers["x-ratelimit-reset"]);
  const rateLimited = status === 429 || (status === 403 && headers["x-ratelimit-remaining"] === "0");
  return httpCause(status, {
    credentials: "GITHUB_TOKEN or the GitHub App settings",
    notFound: `repo ${repo}`,
    // Fine-grained tokens and Apps: X-Accepted-GitHub-Permissions; classic tokens: X-Accepted-OAuth-Scopes.
    missingPermission: headers["x-accepted-github-permissions"]
      ? `the permission ${headers["x-accepted-github-permissions"]}`
      : headers["x-accepted-oauth-scopes"]
        ? `the scope ${headers["x-accepted-oauth-scopes"]}`
        : "read access to Deployments, Actions, Pull requests, Contents and Metadata",
    ...(rateLimited && Number.isFinite(reset) ? { resetAtMs: reset * 1000 } : {}),
    ...(rateLimited && !Number.isFinite(reset) ? { resetAtMs: Date.now() + 60_000 } : {}),
    ...(message ? { message } : {}),
  });
}
