import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseEnv } from "../../../src/config/env.js";
import { ConfigError } from "../../../src/config/errors.js";
import { failureLine, SourceError } from "../../../src/sources/errors.js";
import { describeGitlabError, GitlabUnreachableError } from "../../../src/sources/gitlab/errors.js";
import { createGitlabSource } from "../../../src/sources/gitlab/index.js";
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
    expect(report.notes).toEqual([]);
    expect(report.failures).toEqual([
      { source: "gitlab", host: new URL(fake.apiUrl).host, subject: "acme/shop (production)", cause: "the server answered 502: 502 Bad Gateway (GET /api/v4/projects/acme%2Fshop/deployments)" },
    ]);
    expect(rows(deps, "SELECT count(*) AS n FROM deployments")).toEqual([{ n: 0 }]);
    // The next run resumes.
    expect((await source.sync(deps)).inserted).toBe(1);
  });
});

describe("GitLab errors name what to fix in one line", () => {
  const host = () => new URL(fake.apiUrl).host;

  it("a project that does not exist, while the other project still syncs", async () => {
    oneDeployment();
    const deps = gitlabDeps(fake, `services:\n  - id: web\n    gitlab: { project: acme/web }\n${CONFIG.slice("services:\n".length)}`);
    const report = await source.sync(deps);
    expect(report.failures).toEqual([
      {
        source: "gitlab",
        host: host(),
        subject: "acme/web (production)",
        cause: '404 not found: project "acme/web" does not exist or the token cannot see it; check services[].gitlab.project (group/subgroup/name or numeric id)',
      },
    ]);
    expect(report.inserted).toBe(1);
    expect(rows(deps, "SELECT key, last_error FROM sync_cursors ORDER BY key")).toEqual([
      { key: expect.stringContaining("acme/shop"), last_error: null },
      { key: expect.stringContaining("acme/web"), last_error: expect.stringMatching(/^404 not found: project "acme\/web"/) },
    ]);
  });

  it("a token without read_api fails the source as a whole after one request", async () => {
    await fake.stop();
    fake = await new FakeGitlab({ token: GITLAB_TOKEN, scopes: ["read_repository"] }).start();
    oneDeployment();
    const deps = gitlabDeps(fake, CONFIG);
    const error = await source.sync(deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(failureLine((error as SourceError).failure)).toBe(
      `gitlab: ${host()}: GITLAB_TOKEN lacks the read_api scope (it has: read_repository): create a personal, group or project access token with read_api`,
    );
    expect(fake.requestLines()).toEqual(["GET /api/v4/personal_access_tokens/self"]);
    expect(rows(deps, "SELECT last_error FROM sync_cursors")).toEqual([{ last_error: expect.stringMatching(/^GITLAB_TOKEN lacks the read_api scope/) }]);
  });

  it("a token GitLab refuses", async () => {
    oneDeployment();
    const error = await source.sync(gitlabDeps(fake, CONFIG, { GITLAB_TOKEN: "glpat-wrong" })).catch((e: unknown) => e);
    expect((error as SourceError).failure).toEqual({
      source: "gitlab",
      host: host(),
      cause: "401 bad token: the server refused the credentials (check GITLAB_TOKEN): it is invalid, expired or revoked; create a token with the read_api scope",
    });
    expect((error as SourceError).kind).toBe("unauthorized");
  });

  it("a 403 names the scope and access the project needs", async () => {
    oneDeployment();
    fake.inject((_m, path) => path.endsWith("/deployments"), 403, {}, { message: "403 Forbidden" });
    const report = await source.sync(gitlabDeps(fake, CONFIG));
    expect(report.failures?.map((f) => f.cause)).toEqual(["403 forbidden: the token needs the read_api scope and at least Reporter access to acme/shop: 403 Forbidden"]);
  });

  it("a 429 that outlasts the waits says until when", async () => {
    oneDeployment();
    // RateLimit-Reset is an absolute epoch second on GitLab's clock, which the client waits against in
    // real time: an hour from now outlasts every wait whenever the test runs.
    const reset = Math.floor(Date.now() / 1000) + 3600;
    fake.inject((_m, path) => path.endsWith("/deployments"), 429, { "ratelimit-reset": String(reset) }, { message: "429 Too Many Requests" }, 10);
    const report = await source.sync(gitlabDeps(fake, CONFIG));
    expect(report.failures?.map((f) => f.cause)).toEqual([`rate-limited until ${new Date(reset * 1000).toISOString()}; the next sync resumes from the cursor`]);
  });

  it("a host that does not answer: connection refused, never an HTTP status, the source fails once", async () => {
    oneDeployment();
    const deps = gitlabDeps(fake, CONFIG);
    await fake.stop();
    const error = await source.sync(deps).catch((e: unknown) => e);
    expect((error as SourceError).failure).toEqual({ source: "gitlab", host: host(), cause: "connection refused (nothing listens there: check the URL and port)" });
    expect((error as SourceError).kind).toBe("refused");
    // retries: 1 in the test source: one back-off, then it gives up.
    expect(waits).toEqual([500]);
    fake = await new FakeGitlab({ token: GITLAB_TOKEN }).start();
  });

  it("a host that stops answering mid-run: the later projects are not tried", async () => {
    oneDeployment();
    const deps = gitlabDeps(fake, `services:\n  - id: web\n    gitlab: { project: acme/web }\n${CONFIG.slice("services:\n".length)}`);
    fake.misbehave((_m, path) => path.includes("/projects/"), "drop", 10);
    const failing = createGitlabSource({ wait: async () => {}, retries: 0 });
    const report = await failing.sync(deps);
    const RESET = "connection reset by the server or a proxy";
    expect(report.failures).toEqual([
      { source: "gitlab", host: host(), subject: "acme/web (production)", cause: RESET },
      { source: "gitlab", host: host(), subject: "acme/shop (production)", cause: `${RESET} (not tried: the host did not answer for an earlier project)` },
    ]);
  });

  it("a request past its deadline is not retried", async () => {
    oneDeployment();
    fake.misbehave((_m, path) => path.endsWith("/deployments"), { delayMs: 2_000 });
    const slow = createGitlabSource({ wait: async (ms) => void waits.push(ms), retries: 3, timeoutMs: 200 });
    const report = await slow.sync(gitlabDeps(fake, CONFIG));
    expect(report.failures?.map((f) => f.cause)).toEqual(["timed out (no answer from the server)"]);
    expect(waits).toEqual([]);
  });

  it("a request fetch refuses before it leaves says fetch's own cause, as a network failure, not \"fetch failed\"", () => {
    // What undici throws for a port the fetch standard blocks (http://host:9/).
    const badPort = new GitlabUnreachableError("http://127.0.0.1:9/api/v4", new TypeError("fetch failed", { cause: new Error("bad port") }));
    expect(badPort.message).toBe("cannot reach GitLab at http://127.0.0.1:9/api/v4 (could not connect (bad port: check the URL and port)): check GITLAB_API_URL");
    expect(describeGitlabError(badPort, "acme/shop")).toEqual({ kind: "network", words: "could not connect (bad port: check the URL and port)" });
  });

  it("GITLAB_API_URL must name the REST base", () => {
    expect(() => parseEnv({ GITLAB_API_URL: "https://gitlab.example.com" })).toThrow(ConfigError);
    expect(parseEnv({ GITLAB_API_URL: "https://gitlab.example.com/api/v4/" }).GITLAB_API_URL).toBe("https://gitlab.example.com/api/v4");
    expect(parseEnv({}).GITLAB_API_URL).toBe("https://gitlab.com/api/v4");
  });
});
