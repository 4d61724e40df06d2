import { createHash } from "node:crypto";
import type { AppDeps } from "../../../src/app-deps.js";
import { parseEnv } from "../../../src/config/env.js";
import { parseFileConfig } from "../../../src/config/file.js";
import { silentLogger } from "../../../src/log.js";
import { createGithubSource } from "../../../src/sources/github/index.js";
import { openDatabase } from "../../../src/store/db.js";
import { createStore } from "../../../src/store/index.js";
import type { FakeGithub, FakePull, FakeRepo } from "../../fakes/github/server.js";
import { sqliteOf } from "../../support/sqlite-of.js";

export const TOKEN = "ghp_testtoken000000000000000000000000";
export const NOW = Date.parse("2026-03-02T12:00:00Z");
export const DAY = 86_400_000;
export const at = (daysAgo: number, hours = 0): string => new Date(NOW - daysAgo * DAY + hours * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");

/** A deterministic 40-hex sha for a label. */
export const sha = (label: string): string => createHash("sha1").update(label).digest("hex");

/** The source under test: waits GitHub asks for take milliseconds instead of seconds. */
export const source = createGithubSource({ retryAfterBaseValue: 1, retries: 1 });

export function testDeps(fake: FakeGithub, yaml: string, env: Record<string, string> = { GITHUB_TOKEN: TOKEN }): AppDeps {
  const config = parseFileConfig(yaml, "vitals.yml");
  const store = createStore(openDatabase(":memory:"), { productionEnvironment: config.production_environment, attributionWindowMs: DAY });
  store.catalog.syncFromConfig(config);
  return { store, config, env: parseEnv({ ...env, GITHUB_API_URL: fake.baseUrl }), logger: silentLogger(), now: () => NOW };
}

/** Append a plain commit to the default branch. */
export function pushCommit(repo: FakeRepo, label: string, date: string, message = `${label} change`): string {
  repo.commits.push({ sha: sha(label), message, date });
  return sha(label);
}

/** A PR whose branch commits are squash-merged into one commit on the default branch ("Title (#n)"). */
export function squashMerge(
  repo: FakeRepo,
  pr: Partial<FakePull> & { number: number; commitDates: string[]; mergedAt: string },
): string {
  const squash = sha(`squash-${pr.number}`);
  const title = pr.title ?? `Change ${pr.number}`;
  repo.commits.push({ sha: squash, message: `${title} (#${pr.number})\n\n* wip`, date: pr.mergedAt });
  repo.pulls.push({
    number: pr.number,
    title,
    author: pr.author ?? "alice",
    createdAt: pr.createdAt ?? pr.commitDates.at(-1)!,
    mergedAt: pr.mergedAt,
    mergeCommitSha: squash,
    headRef: pr.headRef ?? `feature/${pr.number}`,
    labels: pr.labels ?? [],
    additions: pr.additions ?? 10,
    deletions: pr.deletions ?? 2,
    commits: pr.commitDates.map((date, i) => ({ sha: sha(`pr-${pr.number}-${i}`), date })),
    reviews: pr.reviews ?? [],
  });
  return squash;
}

export function deploy(repo: FakeRepo, id: number, commitSha: string, createdAt: string, states: [string, string][], environment = "production"): void {
  repo.deployments.push({ id, sha: commitSha, environment, createdAt, statuses: states.map(([state, when]) => ({ state, createdAt: when })) });
}

export function rows(deps: AppDeps, sql: string): unknown[] {
  return sqliteOf(deps.store).db.prepare(sql).all();
}

/** Every table a sync writes, for "nothing changed" assertions. */
export function snapshot(deps: AppDeps): string {
  return JSON.stringify(["deployments", "changes", "deployment_changes", "sync_cursors"].map((t) => rows(deps, `SELECT * FROM ${t} ORDER BY 1, 2`)));
}
