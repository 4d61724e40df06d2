import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitlab, type FakeGitlabProject } from "../../fakes/gitlab/server.js";
import { at, deploy, GITLAB_TOKEN, gitlabDeps, NOW, pushCommit, rows, sha, snapshot, source, squashMerge } from "./helpers.js";

const CONFIG = `
services:
  - id: shop
    gitlab: { project: acme/web/shop }
gitlab: { first_deployment_lookback_days: 30 }
`;

let fake: FakeGitlab;
let project: FakeGitlabProject;
beforeEach(async () => {
  fake = await new FakeGitlab({ token: GITLAB_TOKEN }).start();
  project = fake.project("acme/web/shop");
});
afterEach(() => fake.stop());

const P = "acme%2Fweb%2Fshop";
const iso = (s: string) => encodeURIComponent(new Date(s).toISOString());

/**
 * History: an old commit (outside the look-back), MR !1 squash-merged (its own commits predate the
 * squash) and deployed (D1), MR !2 labelled hotfix and deployed (D2), a staging deployment, a failed
 * and a canceled production deployment, one still running, then a redeploy of D1's sha (a rollback).
 */
function scenario() {
  pushCommit(project, "ancient", at(60));
  const base = pushCommit(project, "base", at(20));
  const s1 = squashMerge(project, {
    iid: 1,
    title: "Add cart",
    author: "alice",
    commitDates: [at(9), at(8)],
    createdAt: at(8, 1),
    mergedAt: at(6),
    labels: ["feature"],
    additions: 120,
    deletions: 30,
    notes: [
      { author: "alice", body: "ready for review", system: false, createdAt: at(7, 0) },
      { author: "carol", body: "mentioned in commit abc123", system: true, createdAt: at(7, 1) },
      { author: "bob", body: "approved this merge request", system: true, createdAt: at(7, 2) },
    ],
  });
  deploy(project, 101, s1, at(5), "success", at(5, 1), { updatedAt: at(5, 1.5) });
  const s2 = squashMerge(project, { iid: 2, title: "Fix totals", commitDates: [at(4)], mergedAt: at(3), labels: ["Hotfix"], sourceBranch: "fix/totals" });
  deploy(project, 102, s2, at(3, 1), "success", at(3, 2));
  deploy(project, 103, s2, at(3, 3), "success", at(3, 4), { environment: "staging" });
  deploy(project, 104, s2, at(2), "failed", at(2, 1));
  deploy(project, 105, s2, at(2, 2), "canceled", at(2, 3));
  deploy(project, 106, s2, at(1, 5), "running", null);
  // Created through the API: no job, so its finish is its updated_at.
  deploy(project, 107, s1, at(1), "success", null, { updatedAt: at(1, 1) });
  return { base, s1, s2 };
}

describe("GitLab sync, Deployments API", () => {
  it("stores production deployments with the commits each shipped, MR lead-time data, hotfix and rollback", async () => {
    const { s1, s2, base } = scenario();
    const deps = gitlabDeps(fake, CONFIG);
    const report = await source.sync(deps);

    expect(report).toMatchObject({ source: "gitlab", fetched: 5, inserted: 5, updated: 0, notes: [] });
    expect(fake.requestLines()).toEqual([
      "GET /api/v4/personal_access_tokens/self",
      `GET /api/v4/projects/${P}/deployments?environment=production&updated_after=${iso(new Date(NOW - 90 * 86_400_000).toISOString())}&order_by=updated_at&sort=asc&per_page=100`,
      // D1 is the first deployment: its history over the look-back stands in for a range.
      `GET /api/v4/projects/${P}/repository/commits?ref_name=${s1}&since=${iso(new Date(Date.parse(at(5, 1)) - 30 * 86_400_000).toISOString())}&until=${iso(at(5, 1))}&per_page=100`,
      `GET /api/v4/projects/${P}/repository/commits/${s1}/merge_requests`,
      `GET /api/v4/projects/${P}/merge_requests/1`,
      `GET /api/v4/projects/${P}/merge_requests/1/commits?per_page=100`,
      `GET /api/v4/projects/${P}/merge_requests/1/notes?per_page=100&sort=asc&order_by=created_at`,
      // The squash commit's stats give the MR's size (GitLab's MR has no line counts).
      `GET /api/v4/projects/${P}/repository/commits/${s1}?stats=true`,
      `GET /api/v4/projects/${P}/repository/commits/${base}/merge_requests`,
      `GET /api/v4/projects/${P}/repository/commits?ref_name=${s1}..${s2}&per_page=100`,
      `GET /api/v4/projects/${P}/repository/commits/${s2}/merge_requests`,
      `GET /api/v4/projects/${P}/merge_requests/2`,
      `GET /api/v4/projects/${P}/merge_requests/2/commits?per_page=100`,
      `GET /api/v4/projects/${P}/merge_requests/2/notes?per_page=100&sort=asc&order_by=created_at`,
      `GET /api/v4/projects/${P}/repository/commits/${s2}?stats=true`,
      // The redeploy of s1: the range s2..s1 is empty (an ancestor), so no commit or MR requests.
      `GET /api/v4/projects/${P}/repository/commits?ref_name=${s2}..${s1}&per_page=100`,
    ]);
    expect(fake.requests.every((r) => r.headers["private-token"] === GITLAB_TOKEN)).toBe(true);

    expect(rows(deps, "SELECT source, external_id, status, finished_at, sha, rollback_of, is_hotfix FROM deployments ORDER BY finished_at")).toEqual([
      { source: "gitlab", external_id: "acme/web/shop:deployment:101", status: "success", finished_at: Date.parse(at(5, 1)), sha: s1, rollback_of: null, is_hotfix: 0 },
      { source: "gitlab", external_id: "acme/web/shop:deployment:102", status: "success", finished_at: Date.parse(at(3, 2)), sha: s2, rollback_of: null, is_hotfix: 1 },
      { source: "gitlab", external_id: "acme/web/shop:deployment:104", status: "failure", finished_at: Date.parse(at(2, 1)), sha: s2, rollback_of: null, is_hotfix: 0 },
      { source: "gitlab", external_id: "acme/web/shop:deployment:105", status: "failure", finished_at: Date.parse(at(2, 3)), sha: s2, rollback_of: null, is_hotfix: 0 },
      { source: "gitlab", external_id: "acme/web/shop:deployment:107", status: "success", finished_at: Date.parse(at(1, 1)), sha: s1, rollback_of: "acme/web/shop:deployment:102", is_hotfix: 0 },
    ]);
    // MR !1: its earliest own commit (9 days ago) stands for it although the squash is 6 days old;
    // the first review is bob's approval (alice is the author; carol's "mentioned" note is bookkeeping).
    expect(rows(deps, "SELECT change_key, committed_at, pr_number, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size, pr_labels, pr_head_branch, pr_author FROM changes ORDER BY committed_at")).toEqual([
      { change_key: `sha:${base}`, committed_at: Date.parse(at(20)), pr_number: null, pr_opened_at: null, pr_first_review_at: null, pr_merged_at: null, pr_size: null, pr_labels: null, pr_head_branch: null, pr_author: null },
      { change_key: "pr:1", committed_at: Date.parse(at(9)), pr_number: 1, pr_opened_at: Date.parse(at(8, 1)), pr_first_review_at: Date.parse(at(7, 2)), pr_merged_at: Date.parse(at(6)), pr_size: 150, pr_labels: '["feature"]', pr_head_branch: "feature/1", pr_author: "alice" },
      { change_key: "pr:2", committed_at: Date.parse(at(4)), pr_number: 2, pr_opened_at: Date.parse(at(4)), pr_first_review_at: null, pr_merged_at: Date.parse(at(3)), pr_size: 12, pr_labels: '["Hotfix"]', pr_head_branch: "fix/totals", pr_author: "alice" },
    ]);
  });

  it("re-syncs with nothing new in at most 2 requests per project and changes nothing", async () => {
    scenario();
    const deps = gitlabDeps(fake, CONFIG);
    await source.sync(deps);
    const before = snapshot(deps);
    fake.clearRequests();

    const report = await source.sync(deps);
    expect(report).toMatchObject({ inserted: 0, updated: 0, notes: [] });
    // The token check, then one deployments page listing what changed since the newest update seen
    // (the running deployment's).
    expect(fake.requestLines()).toEqual([
      "GET /api/v4/personal_access_tokens/self",
      `GET /api/v4/projects/${P}/deployments?environment=production&updated_after=${iso(at(1, 5))}&order_by=updated_at&sort=asc&per_page=100`,
    ]);
    expect(snapshot(deps)).toBe(before);
  });

  it("with several projects, a re-sync with nothing new costs one request per project plus one token check", async () => {
    scenario();
    const other = fake.project("acme/api", 77);
    deploy(other, 201, pushCommit(other, "api-1", at(4)), at(3), "success", at(3, 1));
    const deps = gitlabDeps(fake, `${CONFIG}\n`.replace("services:\n", "services:\n  - id: api\n    gitlab: { project: 77 }\n"));
    expect((await source.sync(deps)).inserted).toBe(6);
    const before = snapshot(deps);
    fake.clearRequests();

    expect(await source.sync(deps)).toMatchObject({ inserted: 0, updated: 0, notes: [] });
    expect(fake.requestLines().map((l) => l.split("?")[0])).toEqual([
      "GET /api/v4/personal_access_tokens/self",
      "GET /api/v4/projects/77/deployments",
      `GET /api/v4/projects/${P}/deployments`,
    ]);
    expect(snapshot(deps)).toBe(before);
  });

  it("stores a deployment that was running once it finishes, without fetching known commits again", async () => {
    const { s2 } = scenario();
    const deps = gitlabDeps(fake, CONFIG);
    await source.sync(deps);
    const running = project.deployments.find((d) => d.id === 106)!;
    Object.assign(running, { status: "success", jobFinishedAt: at(0, 2), updatedAt: at(0, 2) });
    fake.clearRequests();

    const report = await source.sync(deps);
    expect(report).toMatchObject({ inserted: 1, updated: 0 });
    expect(fake.requestLines()).toEqual([
      "GET /api/v4/personal_access_tokens/self",
      `GET /api/v4/projects/${P}/deployments?environment=production&updated_after=${iso(at(1, 5))}&order_by=updated_at&sort=asc&per_page=100`,
      // s1..s2 ships s2, whose change the store already knows from D2: no MR requests.
      `GET /api/v4/projects/${P}/repository/commits?ref_name=${sha("squash-1")}..${s2}&per_page=100`,
    ]);
    expect(rows(deps, "SELECT rollback_of FROM deployments WHERE external_id = 'acme/web/shop:deployment:106'")).toEqual([{ rollback_of: "acme/web/shop:deployment:107" }]);
  });

  it("follows GitLab's pages (Link / x-next-page) for deployments and commits", async () => {
    await fake.stop();
    fake = await new FakeGitlab({ token: GITLAB_TOKEN, maxPerPage: 2 }).start();
    project = fake.project("acme/web/shop");
    const first = pushCommit(project, "c0", at(10));
    for (let i = 1; i <= 5; i++) pushCommit(project, `c${i}`, at(10 - i));
    deploy(project, 1, first, at(10), "success", at(10, 1));
    deploy(project, 2, sha("c2"), at(7), "success", at(7, 1));
    deploy(project, 3, sha("c5"), at(4), "success", at(4, 1));
    const deps = gitlabDeps(fake, CONFIG.replace("first_deployment_lookback_days: 30", "first_deployment_lookback_days: 0"));

    const report = await source.sync(deps);
    expect(report).toMatchObject({ inserted: 3 });
    expect(fake.requestLines().filter((l) => l.includes("/deployments?")).length).toBe(2);
    expect(fake.requestLines().filter((l) => l.includes(`ref_name=${sha("c2")}..${sha("c5")}`)).length).toBe(2);
    expect(rows(deps, "SELECT count(*) AS n FROM deployment_changes")).toEqual([{ n: 5 }]);
  });
});
