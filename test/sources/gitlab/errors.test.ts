import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseEnv } from "../../../src/config/env.js";
import { ConfigError } from "../../../src/config/errors.js";
import { FakeGitlab } from "../../fakes/gitlab/server.js";
import { at, deploy, GITLAB_TOKEN, gitlabDeps, pushCommit, rows, source, waits } from "./helpers.js";

const CONFIG = "services:\n  - id: shop\n    gitlab: { project: acme/shop }\ngitlab: { first_deployment_lookback_days: 0 }\n";

let fake: FakeGitlab;
beforeEach(async () => {
  fake = await new FakeGitlab({ token: GITLAB_TOKEN }).start();
  waits.length = 0;
});
afterEach(() => fake.stop());

function oneDeployment() {
  const project = fake.project("acme/shop");
  deploy(project, 1, pushCommit(project, "a", at(3)), at(2), "success", at(2, 1));
}

describe("GitLab rate limits and retries", () => {
  it("waits out a 429 for its Retry-After and carries on", async () => {
    oneDeployment();
    fake.inject((_m, path) => path.endsWith("/deployments"), 429, { "retry-after": "7" }, { message: "429 Too Many Requests" });
    const deps = gitlabDeps(fake, CONFIG);
    const report = await source.sync(deps);
    expect(waits).toEqual([7000]);
    expect(report.inserted).toBe(1);
    expect(report.notes).toEqual(["acme/shop: hit the GitLab rate limit 1 time(s) and waited as told"]);
  });

  it("waits for RateLimit-Reset when RateLimit-Remaining reaches 0", async () => {
    oneDeployment();
    const reset = Math.floor(Date.now() / 1000) + 30;
    fake.inject((_m, path) => path.endsWith("/personal_access_tokens/self"), 200, { "ratelimit-remaining": "0", "ratelimit-reset": String(reset) }, { scopes: ["read_api"] });
    const report = await source.sync(gitlabDeps(fake, CONFIG));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(25_000);
    expect(waits[0]).toBeLessThanOrEqual(30_000);
    expect(report.inserted).toBe(1);
  });

  it("retries a 502 and keeps nothing half-written when GitLab stays down", async () => {
    oneDeployment();
    fake.inject((_m, path) => path.endsWith("/deployments"), 502, {}, { message: "502 Bad Gateway" }, 2);
    const deps = gitlabDeps(fake, CONFIG);
    const report = await source.sync(deps);
    expect(report.notes).toEqual(["failed: acme/shop (production): GitLab answered 502 for GET /api/v4/projects/acme%2Fshop/deployments: 502 Bad Gateway; what was written is kept and the next sync resumes"]);
    expect(rows(deps, "SELECT count(*) AS n FROM deployments")).toEqual([{ n: 0 }]);
    // The next run resumes.
    expect((await source.sync(deps)).inserted).toBe(1);
  });
});

describe("GitLab errors name what to fix in one line", () => {
  it("a project that does not exist", async () => {
    fake.project("acme/other");
    const deps = gitlabDeps(fake, CONFIG);
    const report = await source.sync(deps);
    expect(report.notes).toEqual([
      'failed: acme/shop (production): GitLab project "acme/shop" not found (404): check services[].gitlab.project (group/subgroup/name or numeric id) and that the token\'s user can see it; what was written is kept and the next sync resumes',
    ]);
    expect(rows(deps, "SELECT last_error FROM sync_cursors")).toEqual([{ last_error: expect.stringContaining('GitLab project "acme/shop" not found') }]);
  });

  it("a token without read_api", async () => {
    await fake.stop();
    fake = await new FakeGitlab({ token: GITLAB_TOKEN, scopes: ["read_repository"] }).start();
    oneDeployment();
    const report = await source.sync(gitlabDeps(fake, CONFIG));
    expect(report.notes).toEqual([
      "failed: GITLAB_TOKEN lacks the read_api scope (it has: read_repository): create a personal, group or project access token with read_api",
    ]);
    expect(fake.requestLines()).toEqual(["GET /api/v4/personal_access_tokens/self"]);
  });

  it("a token GitLab refuses", async () => {
    oneDeployment();
    const report = await source.sync(gitlabDeps(fake, CONFIG, { GITLAB_TOKEN: "glpat-wrong" }));
    expect(report.notes).toEqual([
      "failed: GitLab refused GITLAB_TOKEN (401: 401 Unauthorized): it is invalid, expired or revoked; create a token with the read_api scope",
    ]);
  });

  it("a host that does not answer", async () => {
    oneDeployment();
    const deps = gitlabDeps(fake, CONFIG);
    await fake.stop();
    const report = await source.sync(deps);
    expect(report.notes).toEqual([
      `failed: cannot reach GitLab at ${fake.apiUrl} (ECONNREFUSED): check GITLAB_API_URL (GitLab.com: https://gitlab.com/api/v4; self-managed: https://gitlab.example.com/api/v4) and the network`,
    ]);
    fake = await new FakeGitlab({ token: GITLAB_TOKEN }).start();
  });

  it("GITLAB_API_URL must name the REST base", () => {
    expect(() => parseEnv({ GITLAB_API_URL: "https://gitlab.example.com" })).toThrow(ConfigError);
    expect(parseEnv({ GITLAB_API_URL: "https://gitlab.example.com/api/v4/" }).GITLAB_API_URL).toBe("https://gitlab.example.com/api/v4");
    expect(parseEnv({}).GITLAB_API_URL).toBe("https://gitlab.com/api/v4");
  });
});
