import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import type { AppDeps } from "../src/app-deps.js";
import { parseEnv } from "../src/config/env.js";
import { parseFileConfig } from "../src/config/file.js";
import { silentLogger } from "../src/log.js";
import { createGithubSource } from "../src/sources/github/index.js";
import { openDatabase } from "../src/store/db.js";
import { createStore, type SqliteStore } from "../src/store/index.js";
import { FakeGithub, type FakeRepo } from "../test/fakes/github/server.js";

// Sync cost (issue 18): a generated organisation on the fake GitHub (REST + GraphQL executed against
// GitHub's published schema, points charged by GitHub's documented formula), backfilled through
// GraphQL and, for one repository, through REST for comparison. Reports requests and points per
// pull request and per deployment, a re-sync with nothing new, and the projected time for 200
// repositories × 2 years at 5,000 points an hour. Exits 1 when a target is missed.
// Run: npx tsx bench/github-sync.ts [--repos 2] [--days 730] [--json]

const TOKEN = "ghp_benchtoken00000000000000000000000";
const DAY = 86_400_000;
const NOW = Date.parse("2026-12-01T00:00:00Z");
export const TARGETS = { requestsPerPr: 0.025, pointsPerPr: 0.025, resyncRequestsPerRepo: 1, projectedHours: 1 } as const;

const sha = (label: string) => createHash("sha1").update(label).digest("hex");
const iso = (msValue: number) => new Date(msValue).toISOString().replace(/\.\d+Z$/, "Z");

/** A deterministic generator (mulberry32), so every run builds the same organisation. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, chance: (p: number) => next() < p, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

/**
 * One repository over `days`: about 1.4 merged PRs a day (80 % squash, 12 % merge commits with a
 * branch of 2–4 commits, 5 % rebase merges, plus direct pushes), each deployed to production
 * (5 % fail and are redeployed; a fifth of successes are later marked inactive) and some to staging.
 */
export function generateRepo(fake: FakeGithub, name: string, days: number, seed: number): { prs: number; deployments: number } {
  const repo: FakeRepo = fake.repo("acme", name);
  const rnd = random(seed);
  const start = NOW - days * DAY;
  let pr = 0;
  let deploymentId = seed * 100_000;
  let productionDeployments = 0;
  repo.commits.push({ sha: sha(`${name}-root`), message: "Initial commit", date: iso(start - DAY) });
  for (let day = 0; day < days; day++) {
    const perDay = rnd.chance(0.4) ? 2 : rnd.chance(0.6) ? 1 : rnd.chance(0.5) ? 3 : 0;
    for (let k = 0; k < perDay; k++) {
      const number = ++pr;
      const openedAt = start + day * DAY + rnd.int(1, 6) * 3_600_000;
      const mergedAt = openedAt + rnd.int(2, 10) * 3_600_000;
      const firstCommitAt = openedAt - rnd.int(1, 48) * 3_600_000;
      const kind = rnd.next();
      const head = repo.commits.at(-1)!.sha;
      const prCommits = Array.from({ length: rnd.int(1, 4) }, (_, i) => ({ sha: sha(`${name}-pr${number}-${i}`), date: iso(firstCommitAt + i * 1_800_000) }));
      let mergeSha: string;
      if (kind < 0.8) {
        mergeSha = sha(`${name}-squash-${number}`);
        repo.commits.push({ sha: mergeSha, message: `Change ${number} (#${number})\n\n* wip`, date: iso(mergedAt) });
      } else if (kind < 0.92) {
        prCommits.forEach((c, i) => repo.commits.push({ sha: c.sha, message: `Step ${i}`, date: c.date, parents: [i === 0 ? head : prCommits[i - 1]!.sha] }));
        mergeSha = sha(`${name}-merge-${number}`);
        repo.commits.push({ sha: mergeSha, message: `Merge pull request #${number} from acme/topic-${number}`, date: iso(mergedAt), parents: [head, prCommits.at(-1)!.sha] });
      } else {
        prCommits.forEach((c) => repo.commits.push({ sha: c.sha, message: `Rebased step of ${number}`, date: iso(mergedAt) }));
        mergeSha = prCommits.at(-1)!.sha;
      }
      const labels = rnd.chance(0.08) ? ["hotfix"] : rnd.chance(0.3) ? ["feature"] : [];
      const reviews = rnd.chance(0.85) ? [{ user: "reviewer", state: "APPROVED", submittedAt: iso(openedAt + 3_600_000) }] : [];
      repo.pulls.push({ number, title: `Change ${number}`, author: rnd.chance(0.1) ? "dependabot[bot]" : "dev", createdAt: iso(openedAt), mergedAt: iso(mergedAt), mergeCommitSha: mergeSha, headRef: `topic-${number}`, labels, additions: rnd.int(1, 400), deletions: rnd.int(0, 100), commits: prCommits, reviews });
      if (rnd.chance(0.04)) repo.commits.push({ sha: sha(`${name}-direct-${number}`), message: "Bump version", date: iso(mergedAt + 60_000) });
      const deployedSha = repo.commits.at(-1)!.sha;
      const at = mergedAt + 1_800_000;
      if (rnd.chance(0.3)) repo.deployments.push({ id: ++deploymentId, sha: deployedSha, environment: "staging", createdAt: iso(at - 600_000), statuses: [{ state: "success", createdAt: iso(at - 300_000) }] });
      if (rnd.chance(0.05)) {
        repo.deployments.push({ id: ++deploymentId, sha: deployedSha, environment: "production", createdAt: iso(at), statuses: [{ state: "in_progress", createdAt: iso(at) }, { state: "failure", createdAt: iso(at + 300_000) }] });
        productionDeployments++;
      }
      const statuses = [{ state: "in_progress", createdAt: iso(at + 600_000) }, { state: "success", createdAt: iso(at + 900_000) }];
      if (rnd.chance(0.2)) statuses.push({ state: "inactive", createdAt: iso(at + DAY) });
      repo.deployments.push({ id: ++deploymentId, sha: deployedSha, environment: "production", createdAt: iso(at + 600_000), statuses });
      productionDeployments++;
    }
  }
  return { prs: pr, deployments: productionDeployments };
}

// SQLite deps: the comparison below reads the rows each sync wrote straight from the database.
function depsFor(fake: FakeGithub, repos: string[], days: number, api: "graphql" | "rest"): AppDeps & { readonly store: SqliteStore } {
  const yaml = `services:\n${repos.map((r) => `  - id: ${r}\n    github: { repo: acme/${r} }\n`).join("")}github: { backfill_days: ${days}, api: ${api} }\n`;
  const config = parseFileConfig(yaml, "bench.yml");
  const store = createStore(openDatabase(":memory:"), { productionEnvironment: config.production_environment, attributionWindowMs: DAY });
  store.catalog.syncFromConfig(config);
  return { store, config, env: parseEnv({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.baseUrl }), logger: silentLogger(), now: () => NOW };
}

export interface SyncBenchResult {
  readonly org: { repos: number; days: number; prs: number; deployments: number };
  readonly graphql: { requests: number; restRequests: number; points: number; seconds: number; requestsPerPr: number; pointsPerPr: number; requestsPerDeployment: number; pointsPerDeployment: number };
  readonly resync: { requests: number; points: number; requestsPerRepo: number };
  readonly rest: { repo: string; prs: number; deployments: number; requests: number; requestsPerPr: number; requestsPerDeployment: number; sameRows: boolean };
  readonly projection: { repos: number; years: number; points: number; hoursAt5000: number; restRequests: number; restHoursAt5000: number };
  readonly misses: string[];
}

const costOf = (fake: FakeGithub) => fake.requests.reduce((n, r) => n + (r.cost ?? 0), 0);

export async function runSyncBench(options: { repos: number; days: number; progress?: (line: string) => void }): Promise<SyncBenchResult> {
  const progress = options.progress ?? (() => {});
  const fake = await new FakeGithub({ token: TOKEN }).start();
  try {
    const names = Array.from({ length: options.repos }, (_, i) => `service-${i + 1}`);
    const sizes = names.map((n, i) => generateRepo(fake, n, options.days, i + 1));
    const prs = sizes.reduce((n, s) => n + s.prs, 0);
    const deployments = sizes.reduce((n, s) => n + s.deployments, 0);
    progress(`Organisation: ${names.length} repositories × ${options.days} days = ${prs.toLocaleString("en-US")} merged PRs, ${deployments.toLocaleString("en-US")} production deployments`);

    const source = createGithubSource({ retryAfterBaseValue: 1, retries: 1 });
    const deps = depsFor(fake, names, options.days, "graphql");
    const started = performance.now();
    const report = await source.sync(deps);
    const seconds = (performance.now() - started) / 1000;
    if (report.notes.length > 0) throw new Error(`the GraphQL backfill reported: ${report.notes.join("; ")}`);
    const requests = fake.requests.length;
    const restRequests = fake.requests.filter((r) => r.method === "GET").length;
    const points = costOf(fake);
    progress(`GraphQL backfill: ${requests} requests (${restRequests} REST), ${points} points, ${seconds.toFixed(1)} s`);

    fake.clearRequests();
    await source.sync(deps);
    const resync = { requests: fake.requests.length, points: costOf(fake), requestsPerRepo: fake.requests.length / names.length };

    // REST for comparison, on the first repository: same rows, and what it costs.
    fake.clearRequests();
    const restDeps = depsFor(fake, names.slice(0, 1), options.days, "rest");
    progress(`REST backfill of ${names[0]} for comparison …`);
    await createGithubSource({ retryAfterBaseValue: 1, retries: 1 }).sync(restDeps);
    const restCount = fake.requests.length;
    const table = (d: AppDeps & { readonly store: SqliteStore }, t: string, where: string) => JSON.stringify(d.store.db.prepare(`SELECT * FROM ${t} ${where} ORDER BY 1, 2`).all());
    const scope = (t: string) => (t === "deployments" ? `WHERE service_id = '${names[0]}'` : t === "changes" ? `WHERE service_id = '${names[0]}'` : "");
    const rowsOf = (d: AppDeps & { readonly store: SqliteStore }) =>
      ["deployments", "changes"].map((t) => table(d, t, scope(t))).join("\n") +
      table(d, "deployment_changes dc JOIN deployments d ON d.id = dc.deployment_id", `WHERE d.service_id = '${names[0]}'`).replace(/"id":\d+,/g, "");
    // Row ids differ between one database holding one repo and one holding all: compare without them.
    const strip = (s: string) => s.replace(/"(id|deployment_id|change_id|first_deployment_id)":\d+/g, "");
    const sameRows = strip(rowsOf(restDeps)) === strip(rowsOf(deps));

    const perRepoPoints = points / names.length;
    const years = options.days / 365;
    const projectionPoints = (perRepoPoints * 200 * 2) / years;
    const restPerRepo = restCount / (options.days / 365);
    const result: SyncBenchResult = {
      org: { repos: names.length, days: options.days, prs, deployments },
      graphql: { requests, restRequests, points, seconds, requestsPerPr: requests / prs, pointsPerPr: points / prs, requestsPerDeployment: requests / deployments, pointsPerDeployment: points / deployments },
      resync,
      rest: { repo: names[0]!, prs: sizes[0]!.prs, deployments: sizes[0]!.deployments, requests: restCount, requestsPerPr: restCount / sizes[0]!.prs, requestsPerDeployment: restCount / sizes[0]!.deployments, sameRows },
      projection: { repos: 200, years: 2, points: projectionPoints, hoursAt5000: projectionPoints / 5000, restRequests: restPerRepo * 200 * 2, restHoursAt5000: (restPerRepo * 200 * 2) / 5000 },
      misses: [],
    };
    const misses = result.misses as string[];
    if (result.graphql.requestsPerPr > TARGETS.requestsPerPr) misses.push(`requests per PR ${result.graphql.requestsPerPr.toFixed(4)} (target ≤ ${TARGETS.requestsPerPr})`);
    if (result.graphql.pointsPerPr > TARGETS.pointsPerPr) misses.push(`points per PR ${result.graphql.pointsPerPr.toFixed(4)} (target ≤ ${TARGETS.pointsPerPr})`);
    if (resync.requestsPerRepo > TARGETS.resyncRequestsPerRepo || resync.points > 0) misses.push(`re-sync: ${resync.requestsPerRepo} requests and ${resync.points} points per repository (target 1 request, 0 points)`);
    if (result.projection.hoursAt5000 > TARGETS.projectedHours) misses.push(`projected ${result.projection.hoursAt5000.toFixed(2)} h (target ≤ 1 h)`);
    if (!sameRows) misses.push(`REST and GraphQL stored different rows for ${names[0]}`);
    return result;
  } finally {
    await fake.stop();
  }
}

export function formatSyncBench(r: SyncBenchResult): string {
  const f = (n: number, d = 4) => n.toFixed(d);
  const g = r.graphql;
  return [
    `Organisation: ${r.org.repos} repositories × ${r.org.days} days: ${r.org.prs.toLocaleString("en-US")} merged PRs, ${r.org.deployments.toLocaleString("en-US")} production deployments`,
    `GraphQL backfill: ${g.requests} requests (${g.restRequests} of them REST), ${g.points} points in ${g.seconds.toFixed(1)} s`,
    `  per PR: ${f(g.requestsPerPr)} requests, ${f(g.pointsPerPr)} points (targets ≤ ${TARGETS.requestsPerPr})`,
    `  per deployment: ${f(g.requestsPerDeployment)} requests, ${f(g.pointsPerDeployment)} points`,
    `Re-sync with nothing new: ${r.resync.requests} requests for ${r.org.repos} repositories (${r.resync.requestsPerRepo} each, all 304), ${r.resync.points} points`,
    `REST backfill of ${r.rest.repo} (${r.rest.prs} PRs, ${r.rest.deployments} deployments): ${r.rest.requests} requests = ${f(r.rest.requestsPerPr, 2)} per PR, ${f(r.rest.requestsPerDeployment, 2)} per deployment; same rows as GraphQL: ${r.rest.sameRows ? "yes" : "NO"}`,
    `Projected for ${r.projection.repos} repositories × ${r.projection.years} years: ${Math.round(r.projection.points).toLocaleString("en-US")} GraphQL points = ${f(r.projection.hoursAt5000, 2)} h at 5,000 points/hour` +
      ` (REST: ${Math.round(r.projection.restRequests).toLocaleString("en-US")} requests = ${f(r.projection.restHoursAt5000, 1)} h at 5,000/hour)`,
    r.misses.length === 0 ? "All sync targets met." : `Missed: ${r.misses.join("; ")}`,
  ].join("\n");
}

const isMain = process.argv[1]?.endsWith("github-sync.ts");
if (isMain) {
  const { values } = parseArgs({ options: { repos: { type: "string" }, days: { type: "string" }, json: { type: "boolean" } } });
  const repos = Number(values.repos ?? 2);
  const days = Number(values.days ?? 730);
  if (!Number.isInteger(repos) || repos < 1 || repos > 200) throw new Error(`--repos: expected a whole number from 1 to 200 (got "${values.repos}")`);
  if (!Number.isInteger(days) || days < 7 || days > 1460) throw new Error(`--days: expected a whole number from 7 to 1460 (got "${values.days}")`);
  const result = await runSyncBench({ repos, days, progress: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatSyncBench(result)}\n`);
  process.exitCode = result.misses.length === 0 ? 0 : 1;
}
