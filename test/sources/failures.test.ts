import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { failureLine, httpCause, networkCause } from "../../src/sources/errors.js";
import { vitals } from "../cli/run.js";
import { FakeGithub } from "../fakes/github/server.js";
import { at, deploy, pushCommit, source, testDeps, TOKEN } from "./github/helpers.js";

// A source that cannot be read says so in words (name not resolved, connection refused, timed out,
// TLS, 401, 403 and the permission, 404, rate limited until …), quickly, and `vitals sync` exits 1.

const CONFIG = "services:\n  - id: shop\n    github: { repo: acme/shop }\n  - id: web\n    github: { repo: acme/web }\n";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** What fetch (undici) throws for a host that does not resolve: TypeError "fetch failed" caused by the getaddrinfo error. */
function fetchFailed(code: string, message = `getaddrinfo ${code} nowhere.example`): Error {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code, syscall: "getaddrinfo" }) });
}

describe("failure causes in words", () => {
  it("names the network cause through the error chain, never as an HTTP status", () => {
    // Octokit wraps fetch's TypeError in a RequestError with status 500: the cause wins.
    const octokitStyle = Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.example"), { status: 500, cause: fetchFailed("ENOTFOUND") });
    expect(networkCause(octokitStyle)).toMatchObject({ kind: "dns", words: expect.stringMatching(/^name not resolved/) });
    expect(networkCause(fetchFailed("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9"))).toMatchObject({ kind: "refused" });
    expect(networkCause(new DOMException("The operation was aborted due to timeout", "TimeoutError"))).toMatchObject({ kind: "timeout", words: expect.stringMatching(/^timed out/) });
    expect(networkCause(fetchFailed("UND_ERR_CONNECT_TIMEOUT", "Connect Timeout Error"))).toMatchObject({ kind: "timeout" });
    expect(networkCause(fetchFailed("CERT_HAS_EXPIRED", "certificate has expired"))).toMatchObject({ kind: "tls", words: expect.stringContaining("TLS failed (CERT_HAS_EXPIRED: certificate has expired)") });
    expect(networkCause(Object.assign(new Error("Not Found"), { status: 404 }))).toBeUndefined();
  });

  it("names a request fetch itself refused (a port it will not dial) as a connection problem, not a 500", async () => {
    // A real refusal by undici: port 9 is on fetch's list of "bad ports"; Octokit wraps it as status 500.
    const refused: unknown = await fetch("http://127.0.0.1:9/").catch((error: unknown) => error);
    const octokitStyle = Object.assign(new Error("fetch failed"), { status: 500, cause: refused });
    expect(networkCause(octokitStyle)).toEqual({ kind: "network", words: "could not connect (bad port: check the URL and port)" });
  });

  it("says what an HTTP answer means", () => {
    expect(httpCause(401, { credentials: "SONAR_TOKEN" }).words).toBe("401 bad token: the server refused the credentials (check SONAR_TOKEN)");
    expect(httpCause(403, { missingPermission: "the permission deployments=read" }).words).toBe("403 forbidden: the token needs the permission deployments=read");
    expect(httpCause(404, { notFound: "repo acme/web" }).words).toBe("404 not found: repo acme/web does not exist or the token cannot see it");
    expect(httpCause(429, { resetAtMs: Date.UTC(2026, 11, 1, 10, 30) }).words).toBe("rate-limited until 2026-12-01T10:30:00.000Z; the next sync resumes from the cursor");
    expect(failureLine({ source: "github", host: "api.github.com", cause: "connection refused", subject: "acme/web" })).toBe("github: api.github.com: connection refused (acme/web)");
  });
});

describe("GitHub failures", () => {
  let fake: FakeGithub;
  afterEach(() => fake?.stop());

  async function twoRepos() {
    fake = await new FakeGithub({ token: TOKEN }).start();
    for (const name of ["shop", "web"]) {
      const repo = fake.repo("acme", name);
      deploy(repo, 1, pushCommit(repo, `${name}-1`, at(3)), at(3, 1), [["success", at(3, 2)]]);
    }
  }

  it("names the missing permission of a 403 and the repo of a 404, and still syncs the other repo", async () => {
    await twoRepos();
    fake.inject((_m, p) => p.startsWith("/repos/acme/shop/deployments"), 403, { "x-accepted-github-permissions": "deployments=read" }, { message: "Resource not accessible by personal access token" });
    fake.inject((_m, p) => p.startsWith("/repos/acme/web/deployments"), 404, {}, { message: "Not Found" });
    const deps = testDeps(fake, CONFIG);
    const report = await source.sync(deps);
    expect(report.failures).toEqual([
      expect.objectContaining({ subject: "acme/shop (deployments)", cause: "403 forbidden: the token needs the permission deployments=read: Resource not accessible by personal access token" }),
      expect.objectContaining({ subject: "acme/web (deployments)", cause: "404 not found: repo acme/web does not exist or the token cannot see it: Not Found" }),
    ]);
    // Each repo's cursor keeps its own last error for /healthz.
    expect((await deps.store.syncState.cursors()).map((c) => c.last_error)).toEqual([expect.stringMatching(/^403 forbidden/), expect.stringMatching(/^404 not found/)]);
  });

  it("says until when it is rate limited once its waits are used up", async () => {
    await twoRepos();
    const reset = Math.floor(Date.UTC(2026, 2, 2, 13, 0) / 1000);
    fake.inject((_m, p) => p.startsWith("/repos/acme/shop/"), 403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset), "retry-after": "0" }, { message: "API rate limit exceeded" }, 10);
    const report = await source.sync(testDeps(fake, CONFIG));
    expect(report.failures?.[0]).toMatchObject({ subject: "acme/shop (deployments)", cause: "rate-limited until 2026-03-02T13:00:00.000Z; the next sync resumes from the cursor" });
    expect(report.inserted).toBe(1);
  });
});

describe("vitals sync with a dead source", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "vitals-sync-fail-"));
    writeFileSync(join(dir, "vitals.yml"), CONFIG);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exits 1 within seconds with one line per failure naming source, host and cause, and no stack", async () => {
    const port = await closedPort();
    const started = Date.now();
    // The production source with its production retries and waits.
    const { code, stdout, stderr } = await vitals(["sync", "github", "--db", join(dir, "vitals.db"), "--config", join(dir, "vitals.yml")], {
      env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: "warn" },
    });
    const elapsedMs = Date.now() - started;
    expect(code).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toEqual([
      `github: 127.0.0.1:${port}: connection refused (nothing listens there: check the URL and port) (acme/shop (deployments))`,
      `github: 127.0.0.1:${port}: connection refused (nothing listens there: check the URL and port) (not tried: the host did not answer for an earlier repo) (acme/web (deployments))`,
      "vitals sync: 1 source failed; what was written is kept and the next sync resumes from it",
    ]);
    expect(stderr).not.toMatch(/\bat .*\.(ts|js):\d+|answered 500|"level"/);
    expect(stdout).toContain("github: 0 fetched");
    // Two retries of the refused request (waits of 1 s and 4 s), and none for the second repo.
    expect(elapsedMs).toBeLessThan(12_000);
  }, 30_000);
});
