import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeGitlab } from "../fakes/gitlab/server.js";
import { at, deploy, GITLAB_TOKEN, NOW, pushCommit } from "../sources/gitlab/helpers.js";
import { vitals } from "./run.js";

let fake: FakeGitlab;
beforeEach(async () => {
  fake = await new FakeGitlab({ token: GITLAB_TOKEN }).start();
});
afterEach(() => fake.stop());

describe("vitals sync gitlab", () => {
  it("pulls the configured project, and a second run changes nothing", async () => {
    const project = fake.project("acme/shop");
    deploy(project, 1, pushCommit(project, "a", at(3)), at(2), "success", at(2, 1));
    const dir = mkdtempSync(join(tmpdir(), "vitals-gitlab-"));
    const config = join(dir, "vitals.yml");
    writeFileSync(config, "services:\n  - id: shop\n    gitlab: { project: acme/shop }\n");
    const argv = ["sync", "gitlab", "--db", join(dir, "vitals.db"), "--config", config, "--now", new Date(NOW).toISOString()];
    const env = { GITLAB_TOKEN, GITLAB_API_URL: fake.apiUrl };

    const first = await vitals(argv, { env });
    expect(first).toMatchObject({ code: 0, stdout: "gitlab: 1 fetched — 1 new, 0 updated, 0 unchanged\n" });
    const again = await vitals(argv, { env });
    expect(again).toMatchObject({ code: 0, stdout: "gitlab: 0 fetched — 0 new, 0 updated, 0 unchanged\n" });
  });

  it("against a dead port exits 1 within seconds with one line naming source, host and cause, and no stack", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vitals-gitlab-dead-"));
    const config = join(dir, "vitals.yml");
    writeFileSync(config, "services:\n  - id: shop\n    gitlab: { project: acme/shop }\n  - id: web\n    gitlab: { project: acme/web }\n");
    const port = Number(new URL(fake.url).port);
    await fake.stop();
    const started = Date.now();
    // The production source, with its production retries and waits.
    const { code, stdout, stderr } = await vitals(["sync", "gitlab", "--db", join(dir, "vitals.db"), "--config", config], {
      env: { GITLAB_TOKEN, GITLAB_API_URL: `http://127.0.0.1:${port}/api/v4`, LOG_LEVEL: "warn" },
    });
    const elapsedMs = Date.now() - started;
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      `gitlab: 127.0.0.1:${port}: connection refused (nothing listens there: check the URL and port)`,
      "vitals sync: 1 source failed; what was written is kept and the next sync resumes from it",
    ]);
    expect(stderr).not.toMatch(/\bat .*\.(ts|js):\d+|answered|"level"/);
    expect(stdout).toBe("");
    // Three retries of the refused token check (0.5 + 1 + 2 s of back-off), well inside the 10 s bound.
    expect(elapsedMs).toBeLessThan(10_000);
    fake = await new FakeGitlab({ token: GITLAB_TOKEN }).start();
  }, 30_000);
});
