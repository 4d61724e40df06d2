import type { Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../src/app-deps.js";
import { gitlabWebhookRoute, tokenMatches } from "../../src/http/gitlab-webhook.js";
import { createHttpServer, listen } from "../../src/http/server.js";
import { deploymentHook, mergeRequestHook } from "../fakes/gitlab/hooks.js";
import { FakeGitlab, type FakeGitlabProject } from "../fakes/gitlab/server.js";
import { at, deploy, GITLAB_TOKEN, gitlabDeps, rows, snapshot, source, squashMerge } from "../sources/gitlab/helpers.js";

const SECRET = "gitlab-webhook-secret-token";
const CONFIG = "services:\n  - id: shop\n    gitlab: { project: acme/shop }\ngitlab: { first_deployment_lookback_days: 30 }\n";

let fake: FakeGitlab;
let shop: FakeGitlabProject;
let server: Server;
let deps: AppDeps;
let url: string;

beforeEach(async () => {
  fake = await new FakeGitlab({ token: GITLAB_TOKEN }).start();
  shop = fake.project("acme/shop", 30);
  deps = gitlabDeps(fake, CONFIG, { GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET: SECRET });
  server = createHttpServer({ routes: [gitlabWebhookRoute(deps, { wait: async () => {}, retries: 0 })], logger: deps.logger });
  url = `http://127.0.0.1:${await listen(server, 0)}/webhooks/gitlab`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await fake.stop();
});

async function deliver(event: string, payload: unknown, options: { uuid?: string; token?: string | null } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json", "x-gitlab-event": event, "x-gitlab-event-uuid": options.uuid ?? "u-1" };
  if (options.token !== null) headers["x-gitlab-token"] = options.token ?? SECRET;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(payload) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function scenario() {
  const s1 = squashMerge(shop, { iid: 1, commitDates: [at(4)], createdAt: at(3, 1), mergedAt: at(3, 2) });
  deploy(shop, 15, s1, at(2), "success", at(2, 1));
  return { s1 };
}

const hook = (status: string, environment = "production") =>
  deploymentHook({ status, environment, deployment_id: 15, project: { id: 30, path_with_namespace: "acme/shop" } });

describe("POST /webhooks/gitlab", () => {
  it("rejects a wrong or missing X-Gitlab-Token with 401 and writes nothing", async () => {
    scenario();
    expect(await deliver("Deployment Hook", hook("success"), { token: "wrong" })).toEqual({ status: 401, body: { error: "invalid token" } });
    expect(await deliver("Deployment Hook", hook("success"), { token: null })).toMatchObject({ status: 401 });
    expect(rows(deps, "SELECT count(*) AS n FROM deployments")).toEqual([{ n: 0 }]);
    expect(fake.requests).toEqual([]);
  });

  it("stores the deployment of an authenticated Deployment Hook, reading what the event lacks", async () => {
    const { s1 } = scenario();
    const response = await deliver("Deployment Hook", hook("success"));
    expect(response).toEqual({ status: 200, body: { ok: true, written: 1 } });
    expect(fake.requestLines()[0]).toBe("GET /api/v4/projects/acme%2Fshop/deployments/15");
    expect(rows(deps, "SELECT source, external_id, status, finished_at, sha FROM deployments")).toEqual([
      { source: "gitlab", external_id: "acme/shop:deployment:15", status: "success", finished_at: Date.parse(at(2, 1)), sha: s1 },
    ]);
    expect(rows(deps, "SELECT change_key, committed_at FROM changes")).toEqual([{ change_key: "pr:1", committed_at: Date.parse(at(4)) }]);
  });

  it("writes the same rows as the poller, and a redelivery (same X-Gitlab-Event-UUID) is a no-op", async () => {
    scenario();
    await deliver("Deployment Hook", hook("success"));
    const polled = gitlabDeps(fake, CONFIG);
    await source.sync(polled);
    // deployments, changes, deployment_changes (the poller also keeps a cursor).
    const written = (d: AppDeps) => (JSON.parse(snapshot(d)) as unknown[]).slice(0, 3);
    expect(written(deps)).toEqual(written(polled));
    expect(rows(deps, "SELECT count(*) AS n FROM deployments")).toEqual([{ n: 1 }]);

    fake.clearRequests();
    expect(await deliver("Deployment Hook", hook("success"))).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    expect(fake.requests).toEqual([]);
  });

  it("stores a canceled deployment as failed; a delivery GitLab's API could not serve is not marked handled", async () => {
    const { s1 } = scenario();
    deploy(shop, 16, s1, at(1), "canceled", at(1, 1));
    fake.inject((_m, path) => path.endsWith("/deployments/16"), 500, {}, { message: "500 Internal Server Error" }, 1);
    const failed = await deliver("Deployment Hook", { ...hook("canceled"), deployment_id: 16 }, { uuid: "c-1" });
    expect(failed).toEqual({ status: 502, body: { error: "GitLab: the server answered 500: 500 Internal Server Error (GET /api/v4/projects/acme%2Fshop/deployments/16)" } });
    // GitLab redelivers the same UUID: handled now.
    expect(await deliver("Deployment Hook", { ...hook("canceled"), deployment_id: 16 }, { uuid: "c-1" })).toEqual({ status: 200, body: { ok: true, written: 1 } });
    expect(rows(deps, "SELECT external_id, status FROM deployments")).toEqual([{ external_id: "acme/shop:deployment:16", status: "failure" }]);
  });

  it("ignores unfinished deployments, other environments and unknown projects", async () => {
    scenario();
    expect(await deliver("Deployment Hook", hook("running"), { uuid: "a" })).toMatchObject({ status: 202, body: { ignored: "deployment running: not finished" } });
    expect(await deliver("Deployment Hook", hook("success", "staging"), { uuid: "b" })).toMatchObject({ status: 202 });
    const other = deploymentHook({ status: "success", environment: "production", deployment_id: 15 });
    expect(await deliver("Deployment Hook", other, { uuid: "c" })).toMatchObject({ status: 202, body: { ignored: "no service in the config file has gitlab.project root/test-deployment-webhooks" } });
    expect(fake.requests).toEqual([]);
  });

  it("a Merge Request Hook relabelling a shipped MR as hotfix flags its deployment", async () => {
    scenario();
    await deliver("Deployment Hook", hook("success"));
    expect(rows(deps, "SELECT is_hotfix FROM deployments")).toEqual([{ is_hotfix: 0 }]);
    const response = await deliver("Merge Request Hook", mergeRequestHook(1, "merged", ["hotfix"], "acme/shop"), { uuid: "mr-1" });
    expect(response).toEqual({ status: 200, body: { ok: true, written: 1 } });
    expect(rows(deps, "SELECT is_hotfix FROM deployments")).toEqual([{ is_hotfix: 1 }]);
    expect(rows(deps, "SELECT pr_labels FROM changes")).toEqual([{ pr_labels: '["hotfix"]' }]);
  });

  it("compares tokens of any length without throwing", () => {
    expect(tokenMatches(SECRET, SECRET)).toBe(true);
    expect(tokenMatches("x", SECRET)).toBe(false);
    expect(tokenMatches(`${SECRET}x`, SECRET)).toBe(false);
  });
});
