import { generateKeyPairSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { FakeGithub } from "../../fakes/github/server.js";
import { at, deploy, pushCommit, rows, snapshot, source, testDeps, TOKEN } from "./helpers.js";

const CONFIG = "services:\n  - id: shop\n    github: { repo: acme/shop }\ngithub: { api: rest }\n";
let fake: FakeGithub;
afterEach(() => fake.stop());

/** 101 production deployments (the first succeeds, the rest fail), then a success 400 commits later (300 from PR #1). */
async function busyRepo(options: ConstructorParameters<typeof FakeGithub>[0] = { token: TOKEN }) {
  fake = await new FakeGithub(options).start();
  const repo = fake.repo("acme", "shop");
  for (let i = 1; i <= 101; i++) {
    const commit = pushCommit(repo, `c${i}`, at(40, i * 4));
    deploy(repo, i, commit, at(40, i * 4 + 1), [[i === 1 ? "success" : "failure", at(40, i * 4 + 2)]]);
  }
  let last = "";
  for (let i = 1; i <= 300; i++) last = pushCommit(repo, `bulk${i}`, at(10, i / 100), `Part ${i} (#1)`);
  repo.pulls.push({ number: 1, title: "Big import", author: "dana", createdAt: at(12), mergedAt: at(10), mergeCommitSha: last, headRef: "import", labels: [], additions: 3000, deletions: 0, commits: [{ sha: last, date: at(12) }], reviews: [] });
  deploy(repo, 151, last, at(5), [["success", at(5, 1)]]);
  return repo;
}

describe("GitHub sync at scale and under failure", () => {
  it("follows Link pagination for deployments and pages a compare past GitHub's 250-commit cap", async () => {
    await busyRepo();
    const deps = testDeps(fake, CONFIG.replace("api: rest", "api: rest, first_deployment_lookback_days: 0"));
    const report = await source.sync(deps);
    expect(report).toMatchObject({ fetched: 102, inserted: 102, notes: [] });
    const lines = fake.requestLines();
    expect(lines.filter((l) => l.startsWith("GET /repos/acme/shop/deployments?"))).toEqual([
      "GET /repos/acme/shop/deployments?per_page=100",
      "GET /repos/acme/shop/deployments?per_page=100&page=2",
    ]);
    expect(lines.filter((l) => l.includes("/compare/")).map((l) => l.replace(/compare\/\w+\.\.\.\w+/, "compare/…"))).toEqual(
      ["GET /repos/acme/shop/compare/…?per_page=100", ...[2, 3, 4].map((n) => `GET /repos/acme/shop/compare/…?per_page=100&page=${n}`)],
    );
    const shipped = rows(deps, "SELECT count(*) AS n FROM deployment_changes dc JOIN deployments d ON d.id = dc.deployment_id WHERE d.external_id = 'acme/shop:deployment:151'");
    expect(shipped).toEqual([{ n: 400 }]);
  });

  it("waits out a primary and a secondary rate limit as GitHub says, then resumes", async () => {
    const repo = await busyRepo();
    repo.deployments.splice(3);
    const deps = testDeps(fake, CONFIG);
    const reset = String(Math.floor(Date.now() / 1000) + 2);
    fake.inject((m, p) => p === "/repos/acme/shop/deployments", 403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }, { message: "API rate limit exceeded" });
    fake.inject((m, p) => p.endsWith("/statuses"), 429, { "retry-after": "30" }, { message: "You have exceeded a secondary rate limit" });

    const report = await source.sync(deps);

    expect(report.notes).toEqual(["acme/shop: hit the GitHub rate limit 2 time(s) and waited as told"]);
    expect(fake.requestLines().slice(0, 4)).toEqual([
      "GET /repos/acme/shop/deployments?per_page=100",
      "GET /repos/acme/shop/deployments?per_page=100",
      "GET /repos/acme/shop/deployments/3/statuses?per_page=100",
      "GET /repos/acme/shop/deployments/3/statuses?per_page=100",
    ]);
    expect(rows(deps, "SELECT count(*) AS n FROM deployments")).toEqual([{ n: 3 }]);
  });

  it("keeps what was written when a sync fails midway and the next run completes it without duplicates", async () => {
    const repo = await busyRepo();
    repo.deployments.splice(5);
    for (const d of repo.deployments) d.statuses[0]!.state = "success";
    const deps = testDeps(fake, CONFIG);
    // The compare for deployment 4 fails (GitHub 502) past the retries.
    fake.inject((m, p) => p.includes(`...${repo.deployments[3]!.sha}`), 502, {}, { message: "Server Error" }, 2);

    const failed = await source.sync(deps);
    expect(failed.notes).toEqual([]);
    expect(failed.failures).toEqual([{ source: "github", host: expect.stringMatching(/^127\.0\.0\.1:\d+$/), cause: "the server answered 502: Server Error", subject: "acme/shop (deployments)" }]);
    expect(rows(deps, "SELECT external_id FROM deployments ORDER BY finished_at")).toEqual([1, 2, 3].map((n) => ({ external_id: `acme/shop:deployment:${n}` })));
    expect(rows(deps, "SELECT last_error IS NOT NULL AS failed FROM sync_cursors")).toEqual([{ failed: 1 }]);

    fake.clearRequests();
    const resumed = await source.sync(deps);
    expect(resumed).toMatchObject({ inserted: 2, notes: [] });
    // The ETag was not advanced by the failed run, so the list is read again, and only 4 and 5 are fetched.
    expect(fake.requestLines().filter((l) => l.includes("/statuses"))).toEqual([
      "GET /repos/acme/shop/deployments/5/statuses?per_page=100",
      "GET /repos/acme/shop/deployments/4/statuses?per_page=100",
    ]);

    const clean = testDeps(fake, CONFIG);
    await source.sync(clean);
    const strip = (s: string) => s.replace(/"last_success_at":\d+/g, "").replace(/"etag":"[^"]*"/g, "");
    expect(strip(snapshot(deps))).toBe(strip(snapshot(clean)));
  });

  it("authenticates as a GitHub App: signs a JWT, exchanges it for an installation token, uses that token", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const installationToken = "ghs_installationtoken0000000000000000";
    const repo = await busyRepo({ app: { appId: "12345", publicKey, installationId: "678", installationToken } });
    repo.deployments.splice(1);
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const deps = testDeps(fake, CONFIG, { GITHUB_APP_ID: "12345", GITHUB_APP_PRIVATE_KEY: pem.replace(/\n/g, "\\n"), GITHUB_APP_INSTALLATION_ID: "678" });

    const report = await source.sync(deps);

    expect(report).toMatchObject({ inserted: 1, notes: [] });
    expect(fake.requestLines().slice(0, 2)).toEqual(["POST /app/installations/678/access_tokens", "GET /repos/acme/shop/deployments?per_page=100"]);
    expect(fake.requests[0]!.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(fake.requests.slice(1).every((r) => r.headers.authorization === `token ${installationToken}`)).toBe(true);

    // The installation token is reused by the next sync: still one request when nothing is new.
    fake.clearRequests();
    await source.sync(deps);
    expect(fake.requestLines()).toEqual(["GET /repos/acme/shop/deployments?per_page=100"]);
  });

  it("reports bad credentials with what to fix, without the token", async () => {
    await busyRepo();
    const deps = testDeps(fake, CONFIG, { GITHUB_TOKEN: "ghp_wrong" });
    const report = await source.sync(deps);
    expect(report.failures).toEqual([
      expect.objectContaining({ cause: "401 bad token: the server refused the credentials (check GITHUB_TOKEN or the GitHub App settings)", subject: "acme/shop (deployments)" }),
    ]);
    expect(JSON.stringify(report)).not.toContain("ghp_wrong");
  });
});
