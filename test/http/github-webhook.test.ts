import { sign } from "@octokit/webhooks-methods";
import type { Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../src/app-deps.js";
import { githubWebhookRoute } from "../../src/http/github-webhook.js";
import { createHttpServer, listen } from "../../src/http/server.js";
import { webhookExample } from "../fakes/github/examples.js";
import { FakeGithub, type FakeRepo } from "../fakes/github/server.js";
import { at, deploy, rows, snapshot, source, squashMerge, testDeps, TOKEN } from "../sources/github/helpers.js";

const SECRET = "It's a Secret to Everybody";
const CONFIG = `
services:
  - id: shop
    github: { repo: acme/shop }
  - id: web
    github: { repo: acme/web, source: workflow, workflow: deploy.yml }
  - id: app
    github: { repo: acme/app, source: releases }
`;

let fake: FakeGithub;
let shop: FakeRepo;
let server: Server;
let deps: AppDeps;
let url: string;

beforeEach(async () => {
  fake = await new FakeGithub({ token: TOKEN }).start();
  shop = fake.repo("acme", "shop");
  deps = testDeps(fake, CONFIG, { GITHUB_TOKEN: TOKEN, GITHUB_WEBHOOK_SECRET: SECRET });
  server = createHttpServer({ routes: [githubWebhookRoute(deps, { retryAfterBaseValue: 1 })], logger: deps.logger });
  url = `http://127.0.0.1:${await listen(server, 0)}/webhooks/github`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await fake.stop();
});

async function deliver(event: string, payload: unknown, options: { delivery?: string; secret?: string; signature?: string } = {}) {
  const body = JSON.stringify(payload);
  const signature = options.signature ?? (await sign(options.secret ?? SECRET, body));
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": options.delivery ?? "d-1", "x-hub-signature-256": signature },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** GitHub's published deployment_status payload, pointed at acme/shop's deployment 7. */
function deploymentStatusPayload(commitSha: string, state: string, createdAt: string, finishedAt: string) {
  const payload = webhookExample("deployment_status", "created") as Record<string, Record<string, unknown>>;
  payload.repository = { ...payload.repository, full_name: "acme/shop", name: "shop", default_branch: "main" };
  payload.deployment = { ...payload.deployment, id: 7, sha: commitSha, environment: "production", created_at: createdAt, updated_at: finishedAt };
  payload.deployment_status = { ...payload.deployment_status, state, created_at: finishedAt, updated_at: finishedAt };
  return payload;
}

function scenario() {
  const s1 = squashMerge(shop, { number: 1, commitDates: [at(9)], mergedAt: at(6), reviews: [{ user: "bob", state: "APPROVED", submittedAt: at(7) }] });
  deploy(shop, 6, s1, at(5), [["success", at(5, 1)]]);
  const s2 = squashMerge(shop, { number: 2, commitDates: [at(4)], mergedAt: at(3), labels: ["incident"] });
  deploy(shop, 7, s2, at(2), [["success", at(2, 1)]]);
  return { s1, s2 };
}

describe("POST /webhooks/github", () => {
  it("refuses a bad signature with 401 and writes nothing", async () => {
    const { s2 } = scenario();
    const before = snapshot(deps);
    const payload = deploymentStatusPayload(s2, "success", at(2), at(2, 1));
    expect((await deliver("deployment_status", payload, { secret: "wrong secret" })).status).toBe(401);
    expect((await deliver("deployment_status", payload, { signature: "" })).status).toBe(401);
    expect(snapshot(deps)).toBe(before);
    expect(rows(deps, "SELECT count(*) AS n FROM webhook_deliveries")).toEqual([{ n: 0 }]);
    expect(fake.requests).toEqual([]);
  });

  it("ingests a deployment_status like the poller does, and ignores a redelivery", async () => {
    const { s1, s2 } = scenario();
    // The poller first stores deployment 6 only (7 appears on GitHub afterwards).
    const seven = shop.deployments.pop()!;
    await source.sync(deps);
    shop.deployments.push(seven);
    fake.clearRequests();

    const first = await deliver("deployment_status", deploymentStatusPayload(s2, "success", at(2), at(2, 1)), { delivery: "abc" });
    expect(first).toEqual({ status: 200, body: { ok: true, written: 1 } });
    expect(fake.requestLines()).toEqual([
      `GET /repos/acme/shop/compare/${s1}...${s2}?per_page=100`,
      "GET /repos/acme/shop/pulls/2",
      "GET /repos/acme/shop/pulls/2/reviews?per_page=100",
      "GET /repos/acme/shop/pulls/2/commits?per_page=100",
    ]);
    const viaWebhook = snapshotRecords(deps);

    // Same delivery id again: acknowledged, nothing done.
    fake.clearRequests();
    expect(await deliver("deployment_status", deploymentStatusPayload(s2, "success", at(2), at(2, 1)), { delivery: "abc" })).toEqual({
      status: 200,
      body: { ok: true, duplicate: true },
    });
    expect(fake.requests).toEqual([]);

    // A poller-only store ends up with identical deployment and change rows.
    const polled = testDeps(fake, CONFIG);
    await source.sync(polled);
    expect(snapshotRecords(polled)).toEqual(viaWebhook);
    expect(rows(deps, "SELECT external_id, is_hotfix FROM deployments ORDER BY finished_at")).toEqual([
      { external_id: "acme/shop:deployment:6", is_hotfix: 0 },
      { external_id: "acme/shop:deployment:7", is_hotfix: 1 },
    ]);
  });

  it("ignores an unfinished status, an unconfigured repository and pull_request events with 202", async () => {
    const { s2 } = scenario();
    const pending = await deliver("deployment_status", deploymentStatusPayload(s2, "in_progress", at(2), at(2, 1)), { delivery: "p" });
    expect(pending.status).toBe(202);
    const other = deploymentStatusPayload(s2, "success", at(2), at(2, 1));
    other.repository = { ...other.repository, full_name: "acme/unknown" };
    expect((await deliver("deployment_status", other, { delivery: "q" })).body.ignored).toBe("no service in the config file has github.repo acme/unknown");
    const pr = webhookExample("pull_request", "closed") as Record<string, Record<string, unknown>>;
    pr.repository = { ...pr.repository, full_name: "acme/shop" };
    expect((await deliver("pull_request", pr, { delivery: "r" })).status).toBe(202);
    expect(rows(deps, "SELECT count(*) AS n FROM deployments")).toEqual([{ n: 0 }]);
  });

  it("ingests a completed workflow_run of the deploy workflow and a published release", async () => {
    const web = fake.repo("acme", "web");
    web.commits.push({ sha: "a".repeat(40), message: "Ship it (#4)", date: at(3) });
    const run = webhookExample("workflow_run", "completed") as Record<string, Record<string, unknown>>;
    run.repository = { ...run.repository, full_name: "acme/web", default_branch: "main" };
    run.workflow_run = {
      ...run.workflow_run, id: 99, name: "Deploy", path: ".github/workflows/deploy.yml", head_branch: "main", head_sha: "a".repeat(40),
      event: "push", status: "completed", conclusion: "success", created_at: at(2), updated_at: at(2, 1), run_started_at: at(2),
    };
    expect(await deliver("workflow_run", run, { delivery: "w" })).toEqual({ status: 200, body: { ok: true, written: 1 } });

    const app = fake.repo("acme", "app");
    app.commits.push({ sha: "b".repeat(40), message: "Release prep", date: at(3) });
    app.releases.push({ id: 5, tagName: "v1.0.0", sha: "b".repeat(40), draft: false, prerelease: false, createdAt: at(2), publishedAt: at(2, 1) });
    const release = webhookExample("release", "published") as Record<string, Record<string, unknown>>;
    release.repository = { ...release.repository, full_name: "acme/app" };
    release.release = { ...release.release, id: 5, tag_name: "v1.0.0", draft: false, prerelease: false, created_at: at(2), published_at: at(2, 1) };
    expect(await deliver("release", release, { delivery: "x" })).toEqual({ status: 200, body: { ok: true, written: 1 } });

    expect(rows(deps, "SELECT external_id, service_id, status, finished_at, sha FROM deployments ORDER BY external_id")).toEqual([
      { external_id: "acme/app:release:5", service_id: "app", status: "success", finished_at: Date.parse(at(2, 1)), sha: "b".repeat(40) },
      { external_id: "acme/web:run:99", service_id: "web", status: "success", finished_at: Date.parse(at(2, 1)), sha: "a".repeat(40) },
    ]);
  });

  it("re-decides the hotfix flag when a shipped pull request is labelled afterwards", async () => {
    scenario();
    await source.sync(deps);
    expect(rows(deps, "SELECT external_id, is_hotfix FROM deployments ORDER BY 1")).toEqual([
      { external_id: "acme/shop:deployment:6", is_hotfix: 0 },
      { external_id: "acme/shop:deployment:7", is_hotfix: 1 },
    ]);
    fake.clearRequests();
    const labelled = webhookExample("pull_request", "labeled") as Record<string, Record<string, unknown>>;
    labelled.repository = { ...labelled.repository, full_name: "acme/shop" };
    const label = (labelled.pull_request!.labels as Record<string, unknown>[])[0] ?? {};
    labelled.pull_request = { ...labelled.pull_request, number: 1, title: "Change 1", merged_at: at(6), head: { ...(labelled.pull_request!.head as object), ref: "feature/1" }, labels: [{ ...label, name: "incident" }] };

    expect(await deliver("pull_request", labelled, { delivery: "l1" })).toEqual({ status: 200, body: { ok: true, written: 1 } });
    expect(fake.requests).toEqual([]);
    expect(rows(deps, "SELECT external_id, is_hotfix FROM deployments ORDER BY 1")).toEqual([
      { external_id: "acme/shop:deployment:6", is_hotfix: 1 },
      { external_id: "acme/shop:deployment:7", is_hotfix: 1 },
    ]);
    expect(rows(deps, "SELECT pr_labels FROM changes WHERE change_key = 'pr:1'")).toEqual([{ pr_labels: '["incident"]' }]);
  });
});

function snapshotRecords(d: AppDeps): unknown {
  return [
    rows(d, "SELECT external_id, service_id, environment, status, started_at, finished_at, sha, rollback_of, is_hotfix, url FROM deployments ORDER BY external_id"),
    rows(d, "SELECT change_key, committed_at, pr_number, pr_opened_at, pr_first_review_at, pr_merged_at, pr_size, pr_labels, pr_head_branch, first_deployed_at FROM changes ORDER BY change_key"),
  ];
}
