import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../../src/app-deps.js";
import { FakeGithub, type FakeRepo } from "../../fakes/github/server.js";
import { at, deploy, pushCommit, rows, sha, snapshot, source, squashMerge, testDeps, TOKEN } from "./helpers.js";

// The GraphQL path (github.api: graphql, the default) against the same fake history as the REST
// path: every stored row must be the same. The fake executes each query against GitHub's published
// schema, so a query GitHub would reject fails these tests.

const config = (api: "graphql" | "rest", extra = "") => `
services:
  - id: shop
    github: { repo: acme/shop }
github: { first_deployment_lookback_days: 30, api: ${api}${extra} }
`;

let fake: FakeGithub;
let repo: FakeRepo;
beforeEach(async () => {
  fake = await new FakeGithub({ token: TOKEN }).start();
  repo = fake.repo("acme", "shop");
});
afterEach(() => fake.stop());

/**
 * Squash merges (one a hotfix by label), a true merge commit bringing a branch of two commits, a
 * rebase-merged PR (commits without "(#n)"), a direct push, a bot's PR, a staging deployment, a
 * failure, a success later marked inactive, a queued-then-successful one and a rollback redeploy.
 */
function history() {
  pushCommit(repo, "ancient", at(60));
  const base = pushCommit(repo, "base", at(20));
  const s1 = squashMerge(repo, {
    number: 1,
    title: "Add cart",
    commitDates: [at(9), at(8)],
    createdAt: at(8, 1),
    mergedAt: at(6),
    labels: ["feature", "ui"],
    reviews: [
      { user: "alice", state: "COMMENTED", submittedAt: at(7, 0) },
      { user: "bob", state: "APPROVED", submittedAt: at(7, 2) },
    ],
  });
  deploy(repo, 101, s1, at(5, 12), [["in_progress", at(5, 12)], ["success", at(5, 13)]]);
  const s2 = squashMerge(repo, { number: 2, title: "Fix totals", commitDates: [at(5)], mergedAt: at(4, 12), labels: ["Hotfix"], headRef: "fix/totals" });
  deploy(repo, 102, s2, at(4, 13), [["success", at(4, 14)], ["inactive", at(1)]]);
  deploy(repo, 103, s2, at(4, 15), [["success", at(4, 16)]], "staging");
  // PR #3 merged with a merge commit: its two branch commits come in through the merge's second parent.
  const main = repo.commits.at(-1)!.sha;
  const b1 = sha("branch-3-a");
  const b2 = sha("branch-3-b");
  repo.commits.push({ sha: b1, message: "Start search", date: at(4, 2), parents: [base] });
  repo.commits.push({ sha: b2, message: "Finish search", date: at(4, 3), parents: [b1] });
  const merge = sha("merge-3");
  repo.commits.push({ sha: merge, message: "Merge pull request #3 from acme/search\n\nSearch", date: at(3, 12), parents: [main, b2] });
  repo.pulls.push({
    number: 3, title: "Search", author: "carol", createdAt: at(4, 4), mergedAt: at(3, 12), mergeCommitSha: merge, headRef: "search", labels: [], additions: 300, deletions: 20,
    commits: [{ sha: b1, date: at(4, 2) }, { sha: b2, date: at(4, 3) }],
    reviews: [{ user: "dependabot[bot]", state: "COMMENTED", submittedAt: at(4, 5) }, { user: "dave", state: "APPROVED", submittedAt: at(4, 6) }],
  });
  // PR #4 rebase-merged: its commit on the default branch names no PR.
  const r1 = pushCommit(repo, "rebased-4", at(3, 6), "Tune cache");
  repo.pulls.push({ number: 4, title: "Tune cache", author: "erin", createdAt: at(3, 8), mergedAt: at(3, 5), mergeCommitSha: r1, headRef: "cache", labels: [], additions: 5, deletions: 5, commits: [{ sha: r1, date: at(3, 9) }], reviews: [] });
  pushCommit(repo, "direct", at(3, 4), "Bump version");
  const s5 = squashMerge(repo, { number: 5, title: "Bump lodash", author: "dependabot[bot]", commitDates: [at(3, 1)], mergedAt: at(3, 2) });
  deploy(repo, 104, s5, at(2, 12), [["failure", at(2, 13)]]);
  deploy(repo, 105, s5, at(2), [["queued", at(2)], ["success", at(2, 1)]]);
  deploy(repo, 106, s1, at(1), [["success", at(1, 1)]]);
  return { s1, s5 };
}

/** Every table a sync writes, row by row, ids included (the cursor's last success time aside). */
function stored(deps: AppDeps): Record<string, unknown[]> {
  const tables = ["deployments", "changes", "deployment_changes", "stage_days"];
  return {
    ...Object.fromEntries(tables.map((t) => [t, rows(deps, `SELECT * FROM ${t} ORDER BY 1, 2`)])),
    sync_cursors: rows(deps, "SELECT source, key, cursor, etag, last_error FROM sync_cursors ORDER BY 1, 2"),
  };
}

describe("GitHub sync through GraphQL", () => {
  it("stores exactly the rows the REST path stores, in a few bulk queries", async () => {
    history();
    const restDeps = testDeps(fake, config("rest"));
    await source.sync(restDeps);
    const restRequests = fake.requests.length;
    fake.clearRequests();

    const deps = testDeps(fake, config("graphql"));
    const report = await source.sync(deps);

    expect(report).toMatchObject({ fetched: 5, inserted: 5, notes: [] });
    const expected = stored(restDeps);
    expect(expected.deployments).toHaveLength(5);
    expect(expected.changes).toHaveLength(7);
    expect(stored(deps)).toEqual(expected);
    // The gate (a conditional REST list); one query with the deployments, the history and the merged
    // PRs; one with the status list of the deployment now inactive (found by the first: its latest
    // status does not say whether it succeeded);
    // GitHub's PR associations of the commits whose message names no PR. One point each.
    expect(fake.requestLines()).toEqual(["GET /repos/acme/shop/deployments?per_page=100", ...Array(3).fill("POST /graphql")]);
    const queries = fake.requests.slice(1).map((r) => JSON.parse(r.body!) as { query: string; variables: Record<string, unknown> });
    expect(queries.map((q) => /query (\w+)/.exec(q.query)?.[1])).toEqual(["VitalsBulk", "VitalsBulk", "VitalsCommitPullRequests"]);
    expect(queries[0]!.query).toMatch(/deployments\(first: 100[\s\S]*history\(first: 100\)[\s\S]*pullRequests\(first: \$pulls/);
    expect(queries[0]!.variables.pulls).toBe(46);
    expect((queries[1]!.variables.ids as string[]).map((id) => id.split("_").at(-1))).toEqual(["102"]);
    expect(restRequests).toBeGreaterThan(fake.requests.length * 3);
    expect(fake.requests.reduce((n, r) => n + (r.cost ?? 0), 0)).toBe(3);
    // Rows the scenario was built for: the merge commit's branch is credited to PR #3, the rebased commit to #4.
    expect(rows(deps, "SELECT change_key, pr_author, pr_first_review_at FROM changes WHERE pr_number IN (3, 5) ORDER BY 1")).toEqual([
      { change_key: "pr:3", pr_author: "carol", pr_first_review_at: Date.parse(at(4, 5)) },
      { change_key: "pr:5", pr_author: "dependabot[bot]", pr_first_review_at: null },
    ]);
    expect(rows(deps, "SELECT count(*) AS n FROM deployment_changes dc JOIN changes c ON c.id = dc.change_id WHERE c.change_key = 'pr:3'")).toEqual([{ n: 3 }]);
  });

  it("agrees with REST when the first deployment's look-back is off and when a deployment ships a sha off the default branch", async () => {
    history();
    const off = sha("off-branch");
    repo.commits.splice(2, 0, { sha: off, message: "Experiment (#1)", date: at(6, 1), parents: [sha("base")] });
    // The off-branch commit is not on the default branch: no commit has it as a parent.
    repo.commits[3]!.parents = [sha("base")];
    deploy(repo, 107, off, at(0, -3), [["success", at(0, -2)]]);
    for (const days of ["0", "30"]) {
      const restDeps = testDeps(fake, config("rest").replace("first_deployment_lookback_days: 30", `first_deployment_lookback_days: ${days}`));
      await source.sync(restDeps);
      fake.clearRequests();
      const deps = testDeps(fake, config("graphql").replace("first_deployment_lookback_days: 30", `first_deployment_lookback_days: ${days}`));
      await source.sync(deps);
      expect(stored(deps)).toEqual(stored(restDeps));
      // The off-branch sha is not in the history read: its compare (and only its) is asked of REST.
      expect(fake.requestLines().filter((l) => l.includes("/compare/"))).toEqual([`GET /repos/acme/shop/compare/${sha("squash-1")}...${off}?per_page=100`]);
    }
  });

  it("re-syncs with nothing new in one conditional request (304, no points), and stores a new deployment from one more round", async () => {
    const { s1 } = history();
    const deps = testDeps(fake, config("graphql"));
    await source.sync(deps);
    const before = snapshot(deps);
    fake.clearRequests();
    expect(await source.sync(deps)).toMatchObject({ fetched: 0, inserted: 0 });
    expect(fake.requestLines()).toEqual(["GET /repos/acme/shop/deployments?per_page=100"]);
    expect(snapshot(deps)).toBe(before);

    const s6 = squashMerge(repo, { number: 6, commitDates: [at(0, -5)], mergedAt: at(0, -3) });
    deploy(repo, 108, s6, at(0, -2), [["success", at(0, -1)]]);
    fake.clearRequests();
    expect(await source.sync(deps)).toMatchObject({ fetched: 1, inserted: 1 });
    // One query: the new deployment, a page of history and of PRs (1 point).
    expect(fake.requestLines()).toEqual(["GET /repos/acme/shop/deployments?per_page=100", "POST /graphql"]);
    // 106 rolled back to s1, so 108 ships everything after s1 again; only PR #6 is new.
    expect(rows(deps, `SELECT change_key FROM changes WHERE first_deployed_at = ${Date.parse(at(0, -1))}`)).toEqual([{ change_key: "pr:6" }]);
    expect(fake.requestLines().some((l) => l.includes(`/compare/${s1}`))).toBe(false);
  });

  it("resumes an interrupted backfill from its cursor: what is stored is not listed or read again", async () => {
    const { s5 } = history();
    // "(#99)" names an issue, not a PR: only REST can say so (the bulk read has merged PRs only).
    repo.commits.splice(repo.commits.findIndex((c) => c.sha === s5), 0, { sha: sha("docs"), message: "Docs (#99)", date: at(3, 3) });
    const clean = testDeps(fake, config("rest"));
    await source.sync(clean);
    fake.clearRequests();

    // Deployment 105 ships it; the REST look-up fails past the retries.
    const deps = testDeps(fake, config("graphql"));
    fake.inject((m, p) => p === "/repos/acme/shop/pulls/99", 502, {}, { message: "Server Error" }, 2);
    const failed = await source.sync(deps);
    expect(failed.failures).toEqual([expect.objectContaining({ source: "github", subject: "acme/shop (deployments)", cause: expect.stringMatching(/502/) })]);
    expect(rows(deps, "SELECT external_id FROM deployments ORDER BY finished_at")).toEqual([101, 102].map((n) => ({ external_id: `acme/shop:deployment:${n}` })));
    const firstRun = fake.requests.length;

    fake.clearRequests();
    const resumed = await source.sync(deps);
    expect(resumed).toMatchObject({ inserted: 3, notes: [] });
    // Only what is after the cursor: one deployments page, no statuses query (104 and older are stored
    // or behind the cursor), history and PRs for the two remaining deployments.
    expect(fake.requests.length).toBeLessThan(firstRun);
    const queries = fake.requests.filter((r) => r.method === "POST").map((r) => JSON.parse(r.body!) as { query: string; variables: Record<string, unknown> });
    expect(queries.some((q) => Array.isArray(q.variables.ids) && (q.variables.ids as string[]).some((id) => id.endsWith("_102")))).toBe(false);
    const strip = (s: Record<string, unknown[]>) => JSON.stringify(s).replace(/"etag":"[^"]*"/g, "");
    expect(strip(stored(deps))).toBe(strip(stored(clean)));
  });

  it("resumes an organisation's backfill at the repository that failed; the finished ones cost one 304 each", async () => {
    history();
    const other = fake.repo("acme", "api");
    const c = squashMerge(other, { number: 1, commitDates: [at(3)], mergedAt: at(2) });
    deploy(other, 1, c, at(1), [["success", at(1, 1)]]);
    const yaml = `services:\n  - id: shop\n    github: { repo: acme/shop }\n  - id: api\n    github: { repo: acme/api }\n`;
    const deps = testDeps(fake, yaml);
    fake.inject((m, p) => m === "POST" && p === "/graphql" && fake.requests.some((r) => r.url.startsWith("/repos/acme/api/")), 502, {}, { message: "Server Error" }, 2);
    const failed = await source.sync(deps);
    expect(failed.failures).toEqual([expect.objectContaining({ source: "github", subject: "acme/api (deployments)" })]);
    fake.clearRequests();
    const resumed = await source.sync(deps);
    expect(resumed).toMatchObject({ inserted: 1, notes: [] });
    expect(fake.requestLines()).toEqual(["GET /repos/acme/shop/deployments?per_page=100", "GET /repos/acme/api/deployments?per_page=100", "POST /graphql"]);
    expect(fake.requests[0]!.headers["if-none-match"]).toBeTruthy();
  });

  it("waits out a secondary rate limit on a query, and paces itself when the points run low", async () => {
    history();
    const deps = testDeps(fake, config("graphql"));
    fake.inject((m, p) => m === "POST" && p === "/graphql", 403, { "retry-after": "5" }, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." });
    fake.graphqlBudget.remaining = 11;
    fake.graphqlBudget.resetAt = new Date(Date.now() + 30_000).toISOString();
    const started = Date.now();
    const report = await source.sync(deps);
    // The secondary limit on the first query; then, below the 10-point reserve, the third waits for the reset.
    expect(report.notes).toEqual(["acme/shop: hit the GitHub rate limit 2 time(s) and waited as told"]);
    expect(fake.graphqlBudget.remaining).toBe(8);
    // Over 30 s until the reset, scaled by the test clients' 1 ms per second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
    expect(rows(deps, "SELECT count(*) AS n FROM deployments")).toEqual([{ n: 5 }]);
  });
});

describe("the fake's GraphQL endpoint", () => {
  const post = (query: string, variables: Record<string, unknown> = {}) =>
    fetch(`${fake.baseUrl}/graphql`, { method: "POST", headers: { authorization: `bearer ${TOKEN}` }, body: JSON.stringify({ query, variables }) }).then((r) => r.json() as Promise<{ data?: unknown; errors?: { message: string; type?: string }[] }>);

  it("rejects what GitHub rejects: unknown fields, missing or oversized page sizes", async () => {
    expect((await post("{ repository(owner: \"acme\", name: \"shop\") { deploymentz(first: 1) { totalCount } } }")).errors?.[0]?.message).toMatch(/Cannot query field "deploymentz" on type "Repository"/);
    expect((await post("{ repository(owner: \"acme\", name: \"shop\") { deployments { totalCount } } }")).errors?.[0]?.message).toMatch(/must provide a `first` or `last`/);
    expect((await post("{ repository(owner: \"acme\", name: \"shop\") { deployments(first: 101) { totalCount } } }")).errors?.[0]?.message).toMatch(/exceeds the `first` limit of 100/);
  });

  it("charges points by GitHub's formula and reports them in rateLimit", async () => {
    history();
    const answer = await post("{ rateLimit { cost remaining } repository(owner: \"acme\", name: \"shop\") { pullRequests(first: 60) { nodes { labels(first: 5) { totalCount } commits(first: 1) { totalCount } } } } }");
    // 1 + 60 × 2 = 121 requests → 1 point.
    expect(answer.data).toMatchObject({ rateLimit: { cost: 1, remaining: 4999 } });
    const dear = await post("{ rateLimit { cost } repository(owner: \"acme\", name: \"shop\") { pullRequests(first: 100) { nodes { labels(first: 5) { totalCount } commits(first: 1) { totalCount } reviews(first: 1) { totalCount } } } } }");
    expect(dear.data).toMatchObject({ rateLimit: { cost: 3 } });
    // A connection under nodes(ids:) is fetched once per id: 149 ids → 149 requests → 1 point; 150 → 2.
    const statuses = (n: number) => post("query($ids: [ID!]!) { rateLimit { cost } nodes(ids: $ids) { ... on Deployment { statuses(first: 100) { totalCount } } } }", { ids: Array.from({ length: n }, (_, i) => `DE_acme/shop_${101 + (i % 6)}`) });
    expect((await statuses(149)).data).toMatchObject({ rateLimit: { cost: 1 } });
    expect((await statuses(150)).data).toMatchObject({ rateLimit: { cost: 2 } });
  });
});
