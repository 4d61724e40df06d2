import { githubClientCache, type GithubClientFor, type GithubClientOptions } from "../sources/github/client.js";
import { gitlabClientCache, type GitlabClientFor, type GitlabClientOptions } from "../sources/gitlab/client.js";
import { createSyncSources } from "../sources/registry.js";
import type { SyncSource } from "../sources/types.js";

// The composition root's clients (src/app/root.ts builds the deps): ONE GitHub client (Octokit with
// its auth cache: an App's installation token is exchanged once) and one GitLab client, shared by
// the scheduled/CLI syncs and the webhooks; the pulled sources over them. Loaded only by the
// commands that sync or serve (`vitals sync`, `vitals start`), never by `vitals ask`.
// PagerDuty, Prometheus and SonarQube hold no client between runs (each run builds its own, with
// the run's abort signal and budget), so their sources are stateless.

export interface Clients {
  readonly github: GithubClientFor;
  readonly gitlab: GitlabClientFor;
  /** Every pulled source, in the order `vitals sync` and the scheduler run them. */
  readonly syncSources: readonly SyncSource[];
}

export function createClients(options: { github?: GithubClientOptions; gitlab?: GitlabClientOptions } = {}): Clients {
  const github = githubClientCache(options.github);
  const gitlab = gitlabClientCache(options.gitlab);
  return { github, gitlab, syncSources: createSyncSources({ github, gitlab }) };
}
