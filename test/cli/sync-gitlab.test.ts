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
});
