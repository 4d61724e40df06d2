import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGithub } from "../../fakes/github/server.js";
import { at, pushCommit, rows, sha, source, squashMerge, testDeps, TOKEN } from "./helpers.js";

let fake: FakeGithub;
beforeEach(async () => {
  fake = await new FakeGithub({ token: TOKEN }).start();
});
afterEach(() => fake.stop());

describe("GitHub sync, Actions workflow runs", () => {
  const config = (workflow: string) => `
services:
  - id: web
    github: { repo: acme/web, source: workflow, workflow: ${workflow} }
`;

  function scenario() {
    const web = fake.repo("acme", "web", "trunk");
    const c1 = pushCommit(web, "c1", at(10), "First (#1)");
    const c2 = squashMerge(web, { number: 2, commitDates: [at(6)], mergedAt: at(4), headRef: "hotfix/login" });
    const base = { name: "Deploy", path: ".github/workflows/deploy.yml", headBranch: "trunk", event: "push", status: "completed" };
    web.runs.push(
      { ...base, id: 1, headSha: c1, conclusion: "success", createdAt: at(9), updatedAt: at(9, 1) },
      { ...base, id: 2, headSha: c2, conclusion: "failure", createdAt: at(3), updatedAt: at(3, 1) },
      { ...base, id: 3, headSha: c2, conclusion: "success", createdAt: at(2), updatedAt: at(2, 1) },
      { ...base, id: 4, headSha: c2, conclusion: "cancelled", createdAt: at(1, 1), updatedAt: at(1, 2) },
      { ...base, id: 5, headSha: c2, conclusion: "success", event: "pull_request", createdAt: at(1), updatedAt: at(1, 1) },
      { ...base, id: 6, headSha: c2, conclusion: "success", headBranch: "feature", createdAt: at(1), updatedAt: at(1, 1) },
      { ...base, id: 7, headSha: c2, conclusion: "success", name: "CI", path: ".github/workflows/ci.yml", createdAt: at(1), updatedAt: at(1, 1) },
    );
    return { c1, c2 };
  }

  it("counts completed runs of the deploy workflow file on the default branch", async () => {
    const { c1, c2 } = scenario();
    const deps = testDeps(fake, config("deploy.yml"));
    const report = await source.sync(deps);
    expect(report.notes).toEqual([]);
    expect(fake.requestLines().slice(0, 2)).toEqual([
      "GET /repos/acme/web",
      "GET /repos/acme/web/actions/workflows/deploy.yml/runs?per_page=100&branch=trunk",
    ]);
    expect(rows(deps, "SELECT external_id, status, finished_at, sha, is_hotfix FROM deployments ORDER BY finished_at")).toEqual([
      { external_id: "acme/web:run:1", status: "success", finished_at: Date.parse(at(9, 1)), sha: c1, is_hotfix: 0 },
      { external_id: "acme/web:run:2", status: "failure", finished_at: Date.parse(at(3, 1)), sha: c2, is_hotfix: 0 },
      // Branch hotfix/login marks the deployment that shipped PR #2 as a hotfix.
      { external_id: "acme/web:run:3", status: "success", finished_at: Date.parse(at(2, 1)), sha: c2, is_hotfix: 1 },
    ]);

    // The default branch is kept in the cursor: a re-run is one conditional request.
    fake.clearRequests();
    await source.sync(deps);
    expect(fake.requestLines()).toEqual(["GET /repos/acme/web/actions/workflows/deploy.yml/runs?per_page=100&branch=trunk"]);
  });

  it("matches the workflow by name across the repository's runs", async () => {
    scenario();
    const deps = testDeps(fake, config("Deploy"));
    await source.sync(deps);
    expect(fake.requestLines()[1]).toBe("GET /repos/acme/web/actions/runs?per_page=100&branch=trunk");
    expect(rows(deps, "SELECT external_id FROM deployments ORDER BY 1")).toEqual([
      { external_id: "acme/web:run:1" },
      { external_id: "acme/web:run:2" },
      { external_id: "acme/web:run:3" },
    ]);
  });
});

describe("GitHub sync, releases", () => {
  it("counts published releases (not drafts or pre-releases) at their publication time, resolving the tag once", async () => {
    const app = fake.repo("acme", "app");
    const c1 = pushCommit(app, "r1", at(20), "Release 1");
    const c2 = pushCommit(app, "r2", at(8), "Revert \"Release 1\" (#9)");
    app.pulls.push({ number: 9, title: 'Revert "Release 1"', author: "carol", createdAt: at(9), mergedAt: at(8), mergeCommitSha: c2, headRef: "revert-8-release-1", labels: [], additions: 1, deletions: 1, commits: [{ sha: sha("x"), date: at(9) }], reviews: [] });
    app.releases.push(
      { id: 1, tagName: "v1.0.0", sha: c1, draft: false, prerelease: false, createdAt: at(15), publishedAt: at(14) },
      { id: 2, tagName: "v1.1.0-rc1", sha: c2, draft: false, prerelease: true, createdAt: at(7), publishedAt: at(7) },
      { id: 3, tagName: "v1.1.0", sha: c2, draft: false, prerelease: false, createdAt: at(6), publishedAt: at(5) },
      { id: 4, tagName: "v2.0.0", sha: c2, draft: true, prerelease: false, createdAt: at(1), publishedAt: null },
    );
    const deps = testDeps(fake, "services:\n  - id: app\n    github: { repo: acme/app, source: releases }\n");
    await source.sync(deps);
    expect(fake.requestLines()).toContain("GET /repos/acme/app/commits/v1.1.0");
    expect(fake.requestLines()).not.toContain("GET /repos/acme/app/commits/v2.0.0");
    // v1.1.0 shipped a revert PR: a rollback of v1.0.0.
    expect(rows(deps, "SELECT external_id, finished_at, sha, rollback_of FROM deployments ORDER BY finished_at")).toEqual([
      { external_id: "acme/app:release:1", finished_at: Date.parse(at(14)), sha: c1, rollback_of: null },
      { external_id: "acme/app:release:3", finished_at: Date.parse(at(5)), sha: c2, rollback_of: "acme/app:release:1" },
    ]);
  });
});

describe("GitHub settings in the config file", () => {
  it("says which line needs a workflow when the source is workflow", async () => {
    const { parseFileConfig } = await import("../../../src/config/file.js");
    expect(() => parseFileConfig("services:\n  - id: web\n    github: { repo: acme/web, source: workflow }\n", "vitals.yml")).toThrow(
      expect.objectContaining({ problems: ['vitals.yml:3: services.0.github.workflow: required when source is "workflow": the workflow file (e.g. deploy.yml) or name'] }),
    );
  });
});
