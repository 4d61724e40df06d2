import { createGithubSource } from "./github/index.js";
import type { GithubClientFor } from "./github/client.js";
import type { GitlabClientFor } from "./gitlab/client.js";
import { createGitlabSource } from "./gitlab/index.js";
import { pagerdutySource } from "./pagerduty/index.js";
import { prometheusSource } from "./prometheus/index.js";
import { sonarSource } from "./sonar/index.js";
import type { SyncSource } from "./types.js";

/** Every pulled source's name, in the order `vitals sync` and the scheduler run them. */
export const SYNC_SOURCE_NAMES: readonly SyncSource["name"][] = ["github", "gitlab", "pagerduty", "prometheus", "sonar"];

/**
 * Every pulled source, in that order, over the clients the composition root built (src/app/clients.ts:
 * the webhooks use the same ones, so an App's installation token is exchanged once).
 */
export function createSyncSources(clients: { readonly github: GithubClientFor; readonly gitlab: GitlabClientFor }): readonly SyncSource[] {
  return [createGithubSource({}, clients.github), createGitlabSource({}, clients.gitlab), pagerdutySource, prometheusSource, sonarSource];
}
