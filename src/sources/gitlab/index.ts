import type { AppDeps } from "../../app-deps.js";
import type { SyncOptions, SyncReport, SyncSource } from "../types.js";
import { createGitlabClient, newGitlabStats, type GitlabClient, type GitlabClientOptions, type GitlabRequestStats } from "./client.js";
import { describeGitlabError, GitlabScopeError, statusOf } from "./errors.js";
import { newIngestContext } from "./ingest.js";
import { syncTarget } from "./sync.js";
import { cursorKey, projectTargets } from "./targets.js";

// `vitals sync gitlab` and the scheduled sync: one token check, then every configured project one
// after the other. A project that fails is recorded on its cursor and reported; the others still sync.

export function createGitlabSource(clientOptions: GitlabClientOptions = {}): SyncSource {
  let client: { env: AppDeps["env"]; api: GitlabClient; stats: GitlabRequestStats } | undefined;
  const clientFor = (deps: AppDeps) => {
    if (client?.env !== deps.env) {
      const stats = newGitlabStats();
      client = { env: deps.env, stats, api: createGitlabClient(deps.env, deps.logger, stats, clientOptions) };
    }
    return client;
  };
  return {
    name: "gitlab",
    configured: ({ env, config }) => env.GITLAB_TOKEN !== undefined && projectTargets(config).length > 0,
    sync: (deps, options) => syncGitlab(deps, options, clientFor),
  };
}

export const gitlabSource: SyncSource = createGitlabSource();

type ClientFor = (deps: AppDeps) => { api: GitlabClient; stats: GitlabRequestStats };

async function syncGitlab(deps: AppDeps, options: SyncOptions = {}, clientFor: ClientFor): Promise<SyncReport> {
  const report = { source: "gitlab", fetched: 0, inserted: 0, updated: 0, unchanged: 0, notes: [] as string[] };
  if (!deps.env.GITLAB_TOKEN) return { ...report, notes: ["GitLab is not configured: set GITLAB_TOKEN (a token with the read_api scope)"] };
  const targets = projectTargets(deps.config);
  if (targets.length === 0) return { ...report, notes: ["no service in the config file has a gitlab.project"] };
  const { api, stats: total } = clientFor(deps);

  try {
    await checkToken(api);
  } catch (error) {
    const message = describeGitlabError(error, targets[0]!.project);
    deps.logger.error({ source: "gitlab", err: error }, "GitLab token check failed");
    for (const target of targets) deps.store.syncState.recordFailure("gitlab", cursorKey(target), message, deps.now());
    return { ...report, notes: [`failed: ${message}`] };
  }

  const failures: string[] = [];
  for (const target of targets) {
    if (options.signal?.aborted) break;
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
      const message = describeGitlabError(error, target.project);
      deps.store.syncState.recordFailure("gitlab", cursorKey(target), message, deps.now());
      log.error({ err: error, ...delta() }, "GitLab sync failed");
      failures.push(`${target.project} (${target.environment}): ${message}`);
    }
  }
  report.notes.push(...failures.map((f) => `failed: ${f}; what was written is kept and the next sync resumes`));
  return report;
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
