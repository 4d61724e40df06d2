import type { AppDeps } from "../../../src/app-deps.js";
import { parseEnv } from "../../../src/config/env.js";
import { parseFileConfig } from "../../../src/config/file.js";
import { silentLogger } from "../../../src/log.js";
import { createGitlabSource } from "../../../src/sources/gitlab/index.js";
import { openDatabase } from "../../../src/store/db.js";
import { createStore } from "../../../src/store/index.js";
import type { FakeGitlab, FakeGitlabProject, FakeMergeRequest } from "../../fakes/gitlab/server.js";
import { DAY, NOW, sha } from "../github/helpers.js";

export { at, DAY, NOW, rows, sha, snapshot } from "../github/helpers.js";

export const GITLAB_TOKEN = "glpat-testtoken0000000000";

/** Waits the client was asked to make, in ms (none are slept). */
export const waits: number[] = [];
export const source = createGitlabSource({ wait: async (ms) => void waits.push(ms), retries: 1 });

export function gitlabDeps(fake: FakeGitlab, yaml: string, env: Record<string, string> = { GITLAB_TOKEN }): AppDeps {
  const config = parseFileConfig(yaml, "vitals.yml");
  const store = createStore(openDatabase(":memory:"), { productionEnvironment: config.production_environment, attributionWindowMs: DAY });
  store.catalog.syncFromConfig(config);
  return { store, config, env: parseEnv({ ...env, GITLAB_API_URL: fake.apiUrl }), logger: silentLogger(), now: () => NOW };
}

export function pushCommit(project: FakeGitlabProject, label: string, date: string): string {
  project.commits.push({ sha: sha(label), title: `${label} change`, date });
  return sha(label);
}

/** An MR squash-merged into one commit on the default branch; its own commits stay on its branch. */
export function squashMerge(
  project: FakeGitlabProject,
  mr: Partial<FakeMergeRequest> & { iid: number; commitDates: string[]; mergedAt: string },
): string {
  const squash = sha(`squash-${mr.iid}`);
  const title = mr.title ?? `Change ${mr.iid}`;
  project.commits.push({ sha: squash, title, date: mr.mergedAt });
  project.mergeRequests.push({
    iid: mr.iid,
    title,
    author: mr.author ?? "alice",
    createdAt: mr.createdAt ?? mr.commitDates.at(-1)!,
    mergedAt: mr.mergedAt,
    sourceBranch: mr.sourceBranch ?? `feature/${mr.iid}`,
    labels: mr.labels ?? [],
    mergeCommitSha: squash,
    squash: true,
    additions: mr.additions ?? 10,
    deletions: mr.deletions ?? 2,
    commits: mr.commitDates.map((date, i) => ({ sha: sha(`pr-${mr.iid}-${i}`), date })),
    notes: mr.notes ?? [],
  });
  return squash;
}

export function deploy(
  project: FakeGitlabProject,
  id: number,
  commitSha: string,
  createdAt: string,
  status: "success" | "failed" | "canceled" | "running" | "created" | "blocked",
  finishedAt: string | null,
  options: { environment?: string; updatedAt?: string } = {},
): void {
  project.deployments.push({
    id,
    sha: commitSha,
    environment: options.environment ?? "production",
    status,
    createdAt,
    updatedAt: options.updatedAt ?? finishedAt ?? createdAt,
    jobFinishedAt: finishedAt,
  });
}

export const nowIso = (): string => new Date(NOW).toISOString();
