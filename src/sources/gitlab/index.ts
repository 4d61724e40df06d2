import type { AppDeps } from "../../app-deps.js";
import { hostOf, networkCause, SourceError } from "../errors.js";
import { targetFailures } from "../target-failures.js";
import type { SyncOptions, SyncReport, SyncSource } from "../types.js";
import { gitlabClientCache, type GitlabClient, type GitlabClientFor, type GitlabClientOptions, type GitlabRequestStats } from "./client.js";
import { describeGitlabError, GitlabScopeError, statusOf } from "./errors.js";
import { newIngestContext } from "./ingest.js";
import { syncTarget } from "./sync.js";
import { cursorKey, projectTargets } from "./targets.js";

// `vitals sync gitlab` and the scheduled sync: one token check, then every configured project one
// after the other. A project that fails is recorded on its cursor and is one line of the report's
// failures; the others still sync. A token GitLab refuses (or a host that does not answer it) fails
// the whole source, once.

/** The GitLab source over a client kept between runs (`clientFor`: the composition root passes the webhook's too). */
export function createGitlabSource(clientOptions: GitlabClientOptions = {}, clientFor: GitlabClientFor = gitlabClientCache(clientOptions)): SyncSource {
  return {
    name: "gitlab",
    configured: ({ env, config }) => env.GITLAB_TOKEN !== undefined && projectTargets(config).length > 0,
    sync: (deps, options) => syncGitlab(deps, options, clientFor),
  };
}

type ClientFor = (deps: AppDeps) => { api: GitlabClient; stats: GitlabRequestStats };

async function syncGitlab(deps: AppDeps, options: SyncOptions = {}, clientFor: ClientFor): Promise<SyncReport> {
  const report = { source: "gitlab", fetched: 0, inserted: 0, updated: 0, unchanged: 0, notes: [] as string[] };
  if (!deps.env.GITLAB_TOKEN) return { ...report, notes: ["GitLab is not configured: set GITLAB_TOKEN (a token with the read_api scope)"] };
  const targets = projectTargets(deps.config);
  if (targets.length === 0) return { ...report, notes: ["no service in the config file has a gitlab.project"] };
  const { api, stats: total } = clientFor(deps);

  const host = hostOf(deps.env.GITLAB_API_URL);
  try {
    await checkToken(api);
  } catch (error) {
    // Nothing can be read without the token: the source fails as a whole, once.
    const cause = describeGitlabError(error, targets[0]!.project);
    deps.logger.debug({ source: "gitlab", err: error }, "GitLab token check failed");
    for (const target of targets) await deps.store.syncState.recordFailure("gitlab", cursorKey(target), cause.words, deps.now());
    throw new SourceError({ source: "gitlab", host, cause: cause.words }, cause.kind);
  }

  const tally = targetFailures(deps, "gitlab", host, "project");
  for (const target of targets) {
    if (options.signal?.aborted) break;
    const subject = `${target.project} (${target.environment})`;
    if (await tally.skipped(cursorKey(target), subject)) continue;
    const before = { ...total };
    const delta = () => ({ requests: total.requests - before.requests, rateLimited: total.rateLimited - before.rateLimited, waitedMs: total.waitedMs - before.waitedMs });
    const log = deps.logger.child({ source: "gitlab", project: target.project, environment: target.environment });
    try {
      const totals = await syncTarget(newIngestContext(deps, api, report.notes), target, options.backfillDays);
      report.fetched += totals.fetched;
      report.inserted += totals.inserted;
      report.updated += totals.updated;
      report.unchanged += totals.unchanged;
      const stats = delta();
      log.info({ ...totals, ...stats }, "GitLab sync done");
      if (stats.rateLimited > 0) report.notes.push(`${target.project}: hit the GitLab rate limit ${stats.rateLimited} time(s) and waited as told`);
    } catch (error) {
      const cause = describeGitlabError(error, target.project);
      // The stack only at debug level: the failure line says what a person needs.
      log.debug({ err: error, ...delta() }, "GitLab sync failed");
      log.info({ cause: cause.words, ...delta() }, "GitLab sync failed");
      await tally.failed(cursorKey(target), subject, cause, networkCause(error) !== undefined);
    }
  }
  return { ...report, failures: tally.failures };
}

/**
 * One request per run: the token's own scopes (https://docs.gitlab.com/api/personal_access_tokens/,
 * also answered for group and project access tokens). read_api or api is needed; a server too old
 * for the endpoint (404) is let through and the first real request tells.
 */
async function checkToken(api: GitlabClient): Promise<void> {
  let token: { scopes?: string[] };
  try {
    token = (await api.PersonalAccessTokens.show()) as unknown as { scopes?: string[] };
  } catch (error) {
    if (statusOf(error) === 404) return;
    throw error;
  }
  const scopes = token.scopes ?? [];
  if (!scopes.includes("read_api") && !scopes.includes("api")) throw new GitlabScopeError(scopes);
}
