import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answerKpi } from "../../../src/query/run.js";
import { FakeGithub } from "../../fakes/github/server.js";
import { at, DAY, deploy, NOW, source, squashMerge, testDeps, TOKEN } from "./helpers.js";

let fake: FakeGithub;
beforeEach(async () => {
  fake = await new FakeGithub({ token: TOKEN }).start();
});
afterEach(() => fake.stop());

describe("GitHub data answers the DORA metrics", () => {
  it("gives deployment frequency, lead time and rework rate for the synced service", async () => {
    const repo = fake.repo("acme", "shop");
    // Ten PRs, each first committed 2 days before it ships, deployed daily; PR 10 is a hotfix.
    for (let n = 1; n <= 10; n++) {
      const shipped = squashMerge(repo, { number: n, commitDates: [at(20 - n, -48)], mergedAt: at(20 - n, -1), labels: n === 10 ? ["hotfix"] : [] });
      deploy(repo, n, shipped, at(20 - n, -0.5), [["success", at(20 - n)]]);
    }
    const deps = testDeps(fake, "services:\n  - id: shop\n    github: { repo: acme/shop }\ngithub: { first_deployment_lookback_days: 0 }\n");
    await source.sync(deps);

    const ctx = { store: deps.store, config: deps.config, nowMs: NOW };
    const window = { fromMs: NOW - 30 * DAY, toMs: NOW };
    const ask = (metric: "deployment_frequency" | "lead_time" | "rework_rate") =>
      answerKpi(ctx, { metric, scope: { kind: "service", id: "shop" }, window, windowLabel: "last 30 days" });

    expect((await ask("deployment_frequency")).value).toBeCloseTo(10 / 30, 3);
    // The first deployment's changes are skipped (look-back 0): nine changes, 48 h each.
    expect(await ask("lead_time")).toMatchObject({ value: 48, sample_size: 9 });
    expect((await ask("rework_rate")).value).toBeCloseTo(10, 5);
  });
});
