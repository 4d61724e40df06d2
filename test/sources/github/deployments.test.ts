import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGithub, type FakeRepo } from "../../fakes/github/server.js";
import { at, deploy, pushCommit, rows, sha, snapshot, source, squashMerge, testDeps, TOKEN } from "./helpers.js";

const CONFIG = `
services:
  - id: shop
    github: { repo: acme/shop }
github: { first_deployment_lookback_days: 30, api: rest }
`;

let fake: FakeGithub;
let repo: FakeRepo;
beforeEach(async () => {
  fake = await new FakeGithub({ token: TOKEN }).start();
  repo = fake.repo("acme", "shop");
});
afterEach(() => fake.stop());

/**
 * History: an old commit (outside the 30-day look-back), PR #1 squash-merged and deployed (D1),
 * PR #2 labelled hotfix and deployed (D2), a staging deployment (ignored), a failed production
 * deployment, then a redeploy of PR #1's commit (a rollback of D2).
 */
function scenario() {
  pushCommit(repo, "ancient", at(60));
  const old = pushCommit(repo, "base", at(20));
  const s1 = squashMerge(repo, {
    number: 1,
    title: "Add cart",
    author: "alice",
    commitDates: [at(9), at(8)],
    createdAt: at(8, 1),
    mergedAt: at(6),
    additions: 120,
    deletions: 30,
    labels: ["feature"],
    reviews: [
      { user: "alice", state: "COMMENTED", submittedAt: at(7, 0) },
      { user: "bob", state: "APPROVED", submittedAt: at(7, 2) },
    ],
  });
  deploy(repo, 101, s1, at(5), [["in_progress", at(5)], ["success", at(5, 1)]]);
  const s2 = squashMerge(repo, { number: 2, title: "Fix totals", commitDates: [at(4)], mergedAt: at(3), labels: ["Hotfix"], headRef: "fix/totals" });
  deploy(repo, 102, s2, at(3, 1), [["success", at(3, 2)], ["inactive", at(1)]]);
  deploy(repo, 103, s2, at(3, 3), [["success", at(3, 4)]], "staging");
  deploy(repo, 104, s2, at(2), [["failure", at(2, 1)]]);
  deploy(repo, 105, s1, at(1), [["success", at(1, 1)]]);
  return { old, s1, s2 };
}

// The REST path (github.api: rest), request by request; graphql.test.ts runs the same history in bulk.
describe("GitHub sync, Deployments API", () => {
  it("stores production deployments with the changes each shipped, PR lead-time data, hotfix and rollback", async () => {
    const { s1, s2, old } = scenario();
    const deps = testDeps(fake, CONFIG);
    const report = await source.sync(deps);

    expect(report).toMatchObject({ source: "github", fetched: 4, inserted: 4, updated: 0, notes: [] });
    expect(fake.requestLines()).toEqual([
      "GET /repos/acme/shop/deployments?per_page=100",
      "GET /repos/acme/shop/deployments/105/statuses?per_page=100",
      "GET /repos/acme/shop/deployments/104/statuses?per_page=100",
      "GET /repos/acme/shop/deployments/102/statuses?per_page=100",
      "GET /repos/acme/shop/deployments/101/statuses?per_page=100",
      // D1 is the first deployment: its branch history over the look-back stands in for a compare.
      `GET /repos/acme/shop/commits?sha=${s1}&since=${encodeURIComponent(new Date(Date.parse(at(5, 1)) - 30 * 86_400_000).toISOString())}&until=${encodeURIComponent(new Date(at(5, 1)).toISOString())}&per_page=100`,
      "GET /repos/acme/shop/pulls/1",
      "GET /repos/acme/shop/pulls/1/reviews?per_page=100",
      "GET /repos/acme/shop/pulls/1/commits?per_page=100",
      // The base commit's message names no PR (as after a rebase merge): ask GitHub which PR it came from.
      `GET /repos/acme/shop/commits/${old}/pulls`,
      `GET /repos/acme/shop/compare/${s1}...${s2}?per_page=100`,
      "GET /repos/acme/shop/pulls/2",
      "GET /repos/acme/shop/pulls/2/reviews?per_page=100",
      "GET /repos/acme/shop/pulls/2/commits?per_page=100",
      // The redeploy of s1 (a rollback): compare s2...s1 is "behind", no new commits, no PR requests.
      `GET /repos/acme/shop/compare/${s2}...${s1}?per_page=100`,
    ]);
    expect(fake.requests.every((r) => r.headers.authorization === `token ${TOKEN}`)).toBe(true);

    expect(rows(deps, "SELECT external_id, service_id, environment, status, started_at, finished_at, sha, rollback_of, is_hotfix FROM deployments ORDER BY finished_at")).toEqual([
      { external_id: "acme/shop:deployment:101", service_id: "shop", environment: "production", status: "success", started_at: Date.parse(at(5)), finished_at: Date.parse(at(5, 1)), sha: s1, rollback_of: null, is_hotfix: 0 },
      { external_id: "acme/shop:deployment:102", service_id: "shop", environment: "production", status: "success", started_at: Date.parse(at(3, 1)), finished_at: Date.parse(at(3, 2)), sha: s2, rollback_of: null, is_hotfix: 1 },
      { external_id: "acme/shop:deployment:104", service_id: "shop", environment: "production", status: "failure", started_at: Date.parse(at(2)), finished_at: Date.parse(at(2, 1)), sha: s2, rollback_of: null, is_hotfix: 0 },
      { external_id: "acme/shop:deployment:105", service_id: "shop", environment: "production", status: "success", started_at: Date.parse(at(1)), finished_at: Date.parse(at(1, 1)), sha: s1, rollback_of: "acme/shop:deployment:102", is_hotfix: 0 },
    ]);

    // Squash merge: the change is timed at the PR's first commit (9 days ago), not the squash commit.
    expect(rows(deps, "SELECT change_key, committed_at, pr_number, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size, pr_labels, pr_head_branch, pr_author, first_deployed_at FROM changes ORDER BY committed_at")).toEqual([
      { change_key: `sha:${old}`, committed_at: Date.parse(at(20)), pr_number: null, pr_opened_at: null, pr_first_review_at: null, pr_merged_at: null, pr_size: null, pr_labels: null, pr_head_branch: null, pr_author: null, first_deployed_at: Date.parse(at(5, 1)) },
      { change_key: "pr:1", committed_at: Date.parse(at(9)), pr_number: 1, pr_opened_at: Date.parse(at(8, 1)), pr_first_review_at: Date.parse(at(7, 2)), pr_merged_at: Date.parse(at(6)), pr_size: 150, pr_labels: '["feature"]', pr_head_branch: "feature/1", pr_author: "alice", first_deployed_at: Date.parse(at(5, 1)) },
      { change_key: "pr:2", committed_at: Date.parse(at(4)), pr_number: 2, pr_opened_at: Date.parse(at(4)), pr_first_review_at: null, pr_merged_at: Date.parse(at(3)), pr_size: 12, pr_labels: '["Hotfix"]', pr_head_branch: "fix/totals", pr_author: "alice", first_deployed_at: Date.parse(at(3, 2)) },
    ]);
  });

  it("re-running with nothing new makes one conditional request, answered 304, and writes nothing", async () => {
    scenario();
    const deps = testDeps(fake, CONFIG);
    await source.sync(deps);
    const before = snapshot(deps);
    fake.clearRequests();

    const report = await source.sync(deps);

    expect(fake.requestLines()).toEqual(["GET /repos/acme/shop/deployments?per_page=100"]);
    expect(fake.requests[0]!.headers["if-none-match"]).toMatch(/^W\/"[0-9a-f]{40}"$/);
    expect(report).toMatchObject({ fetched: 0, inserted: 0, updated: 0, notes: [] });
    expect(snapshot(deps)).toBe(before);
  });

  it("a new deployment costs the list, its statuses, one compare and its PR", async () => {
    const { s1 } = scenario();
    const deps = testDeps(fake, CONFIG);
    await source.sync(deps);
    fake.clearRequests();
    const s3 = squashMerge(repo, { number: 3, commitDates: [at(0, -5)], mergedAt: at(0, -3) });
    deploy(repo, 106, s3, at(0, -2), [["success", at(0, -1)]]);

    const report = await source.sync(deps);

    expect(report).toMatchObject({ fetched: 1, inserted: 1, updated: 0 });
    expect(fake.requestLines()).toEqual([
      "GET /repos/acme/shop/deployments?per_page=100",
      "GET /repos/acme/shop/deployments/106/statuses?per_page=100",
      // The previous successful production deployment is 105 (s1), so compare from there. The
      // compare lists s2 again (105 rolled it back); its change is known, so PR #2 is not re-read.
      `GET /repos/acme/shop/compare/${s1}...${s3}?per_page=100`,
      "GET /repos/acme/shop/pulls/3",
      "GET /repos/acme/shop/pulls/3/reviews?per_page=100",
      "GET /repos/acme/shop/pulls/3/commits?per_page=100",
    ]);
    // s2 (PR #2) was already shipped by 102: a change is credited to its first deployment only.
    expect(rows(deps, "SELECT change_key, first_deployed_at FROM changes WHERE change_key LIKE 'pr:%' ORDER BY 1")).toEqual([
      { change_key: "pr:1", first_deployed_at: Date.parse(at(5, 1)) },
      { change_key: "pr:2", first_deployed_at: Date.parse(at(3, 2)) },
      { change_key: "pr:3", first_deployed_at: Date.parse(at(0, -1)) },
    ]);
  });

  it("with first_deployment_lookback_days: 0 the first deployment is stored without changes", async () => {
    scenario();
    const deps = testDeps(fake, CONFIG.replace("first_deployment_lookback_days: 30", "first_deployment_lookback_days: 0"));
    await source.sync(deps);
    expect(fake.requestLines().some((l) => l.startsWith("GET /repos/acme/shop/commits?"))).toBe(false);
    expect(rows(deps, "SELECT d.external_id, count(dc.sha) AS n FROM deployments d LEFT JOIN deployment_changes dc ON dc.deployment_id = d.id GROUP BY d.id ORDER BY d.finished_at")).toEqual([
      { external_id: "acme/shop:deployment:101", n: 0 },
      { external_id: "acme/shop:deployment:102", n: 1 },
      { external_id: "acme/shop:deployment:104", n: 0 },
      { external_id: "acme/shop:deployment:105", n: 0 },
    ]);
  });

  it("ignores deployments older than the backfill horizon on a first sync", async () => {
    scenario();
    deploy(repo, 50, sha("base"), at(100), [["success", at(100, 1)]]);
    const deps = testDeps(fake, CONFIG);
    await source.sync(deps);
    expect(fake.requestLines()).not.toContain("GET /repos/acme/shop/deployments/50/statuses?per_page=100");
    expect(rows(deps, "SELECT count(*) AS n FROM deployments")).toEqual([{ n: 4 }]);
    expect(rows(deps, "SELECT external_id FROM deployments WHERE external_id = 'acme/shop:deployment:50'")).toEqual([]);
  });

  it("re-checks an unfinished deployment until it finishes, then stores it once", async () => {
    const s1 = squashMerge(repo, { number: 1, commitDates: [at(9)], mergedAt: at(6) });
    deploy(repo, 201, s1, at(5), [["success", at(5, 1)]]);
    const s2 = squashMerge(repo, { number: 2, commitDates: [at(2)], mergedAt: at(1) });
    deploy(repo, 202, s2, at(0, -2), [["queued", at(0, -2)], ["in_progress", at(0, -1)]]);
    const deps = testDeps(fake, CONFIG);
    await source.sync(deps);
    expect(rows(deps, "SELECT external_id FROM deployments")).toEqual([{ external_id: "acme/shop:deployment:201" }]);

    // Unchanged on GitHub: the list answers 304, and only the unfinished deployment's statuses are read.
    fake.clearRequests();
    expect(await source.sync(deps)).toMatchObject({ inserted: 0, updated: 0 });
    expect(fake.requestLines()).toEqual(["GET /repos/acme/shop/deployments?per_page=100", "GET /repos/acme/shop/deployments/202/statuses?per_page=100"]);

    // It succeeds: the next sync stores it with what it shipped, and the one after is a single 304.
    repo.deployments[1]!.statuses.push({ state: "success", createdAt: at(0, -0.5) });
    fake.clearRequests();
    expect(await source.sync(deps)).toMatchObject({ inserted: 1 });
    expect(fake.requestLines()).toContain(`GET /repos/acme/shop/compare/${s1}...${s2}?per_page=100`);
    expect(rows(deps, "SELECT external_id, finished_at FROM deployments ORDER BY finished_at")).toEqual([
      { external_id: "acme/shop:deployment:201", finished_at: Date.parse(at(5, 1)) },
      { external_id: "acme/shop:deployment:202", finished_at: Date.parse(at(0, -0.5)) },
    ]);
    fake.clearRequests();
    await source.sync(deps);
    expect(fake.requestLines()).toEqual(["GET /repos/acme/shop/deployments?per_page=100"]);
  });

  it("marks a deployment of older code (an ancestor of the current commit) as a rollback, but not a plain redeploy", async () => {
    pushCommit(repo, "c1", at(10));
    const c2 = pushCommit(repo, "c2", at(9));
    const c3 = pushCommit(repo, "c3", at(8));
    deploy(repo, 301, c3, at(5), [["success", at(5, 1)]]);
    deploy(repo, 302, c3, at(4), [["success", at(4, 1)]]);
    deploy(repo, 303, c2, at(3), [["success", at(3, 1)]]);
    const deps = testDeps(fake, CONFIG);
    await source.sync(deps);
    expect(rows(deps, "SELECT external_id, rollback_of FROM deployments ORDER BY finished_at")).toEqual([
      { external_id: "acme/shop:deployment:301", rollback_of: null },
      { external_id: "acme/shop:deployment:302", rollback_of: null },
      { external_id: "acme/shop:deployment:303", rollback_of: "acme/shop:deployment:302" },
    ]);
  });

  it("keeps services of one monorepo apart by environment, each with its own cursor", async () => {
    const c1 = pushCommit(repo, "m1", at(10));
    deploy(repo, 401, c1, at(5), [["success", at(5, 1)]], "prod-api");
    deploy(repo, 402, c1, at(4), [["success", at(4, 1)]], "prod-web");
    const deps = testDeps(fake, `
services:
  - id: api
    github: { repo: acme/shop, environment: "^prod-api$" }
  - id: web
    github: { repo: acme/shop, environment: "^prod-web$" }
`);
    await source.sync(deps);
    expect(rows(deps, "SELECT external_id, service_id FROM deployments ORDER BY 1")).toEqual([
      { external_id: "acme/shop:deployment:401", service_id: "api" },
      { external_id: "acme/shop:deployment:402", service_id: "web" },
    ]);
    expect(rows(deps, "SELECT key FROM sync_cursors ORDER BY 1")).toEqual([{ key: "acme/shop:deployments:api" }, { key: "acme/shop:deployments:web" }]);
  });
});
