import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../../src/app-deps.js";
import type { MetricId } from "../../../src/domain/metric-ids.js";
import { answerKpi } from "../../../src/query/run.js";
import { FakeGithub, type FakeRepo } from "../../fakes/github/server.js";
import { FakeGitlab, type FakeGitlabProject } from "../../fakes/gitlab/server.js";
import * as gh from "../github/helpers.js";
import * as gl from "./helpers.js";

// The Done-when check of the GitLab connector: one synthetic delivery history, served once by the
// fake GitHub and once by the fake GitLab, gives the same deployment frequency, change failure
// rate and lead time, compared exactly (unrounded JSON values).

const { at, DAY, NOW } = gh;

interface Change {
  n: number;
  author: string;
  commitDates: string[];
  openedAt: string;
  mergedAt: string;
  labels?: string[];
  /** Reviews by others (and the author's own comment, which is not a review). */
  reviews: { user: string; kind: "approve" | "comment"; at: string }[];
}
type Step =
  | { kind: "merge"; change: Change }
  | { kind: "push"; label: string; at: string }
  | { kind: "deploy"; id: number; ship: "head" | number; status: "success" | "failed" | "canceled"; startedAt: string; finishedAt: string; environment?: string };

/**
 * Eight squash-merged changes whose own commits predate the squash, a direct push without a
 * review, twelve production deployments (one failed, one canceled), two staging deployments, and a
 * rollback (deployment 11 goes back to deployment 9's code).
 */
function history(): Step[] {
  const steps: Step[] = [{ kind: "push", label: "base", at: at(40) }];
  let id = 1;
  for (let n = 1; n <= 8; n++) {
    const day = 28 - n * 3;
    steps.push({
      kind: "merge",
      change: {
        n,
        author: n % 2 ? "alice" : "dave",
        commitDates: [at(day + 2, -3 * n), at(day + 1)],
        openedAt: at(day + 1, 2),
        mergedAt: at(day, -2),
        labels: n === 6 ? ["hotfix"] : ["feature"],
        reviews: [
          { user: n % 2 ? "alice" : "dave", kind: "comment", at: at(day + 1, 3) },
          { user: "bob", kind: n % 3 ? "approve" : "comment", at: at(day + 1, 4 + n) },
        ],
      },
    });
    if (n === 4) steps.push({ kind: "push", label: "direct", at: at(day, -1) });
    steps.push({ kind: "deploy", id: id++, ship: "head", status: "success", startedAt: at(day, -1), finishedAt: at(day, -0.5) });
    if (n === 3) steps.push({ kind: "deploy", id: id++, ship: "head", status: "failed", startedAt: at(day, 1), finishedAt: at(day, 1.5) });
    if (n === 5) steps.push({ kind: "deploy", id: id++, ship: "head", status: "canceled", startedAt: at(day, 1), finishedAt: at(day, 1.2) });
    if (n % 4 === 0) steps.push({ kind: "deploy", id: id++, ship: "head", status: "success", startedAt: at(day, 2), finishedAt: at(day, 3), environment: "staging" });
  }
  // Roll back to the code of the deployment before the last one.
  steps.push({ kind: "deploy", id: id++, ship: id - 4, status: "success", startedAt: at(2), finishedAt: at(2, 1) });
  return steps;
}

function serveOnGithub(repo: FakeRepo, steps: Step[]): void {
  const shipped = new Map<number, string>();
  for (const step of steps) {
    if (step.kind === "push") gh.pushCommit(repo, step.label, step.at);
    else if (step.kind === "merge") {
      const c = step.change;
      gh.squashMerge(repo, {
        number: c.n,
        author: c.author,
        commitDates: c.commitDates,
        createdAt: c.openedAt,
        mergedAt: c.mergedAt,
        labels: c.labels ?? [],
        reviews: c.reviews.map((r) => ({ user: r.user, state: r.kind === "approve" ? "APPROVED" : "COMMENTED", submittedAt: r.at })),
      });
    } else {
      const sha = step.ship === "head" ? repo.commits.at(-1)!.sha : shipped.get(step.ship)!;
      shipped.set(step.id, sha);
      // GitHub has no "canceled" deployment state; "error" is its counterpart (a failed deployment).
      const state = step.status === "success" ? "success" : step.status === "failed" ? "failure" : "error";
      gh.deploy(repo, step.id, sha, step.startedAt, [["in_progress", step.startedAt], [state, step.finishedAt]], step.environment ?? "production");
    }
  }
}

function serveOnGitlab(project: FakeGitlabProject, steps: Step[]): void {
  const shipped = new Map<number, string>();
  for (const step of steps) {
    if (step.kind === "push") gl.pushCommit(project, step.label, step.at);
    else if (step.kind === "merge") {
      const c = step.change;
      gl.squashMerge(project, {
        iid: c.n,
        author: c.author,
        commitDates: c.commitDates,
        createdAt: c.openedAt,
        mergedAt: c.mergedAt,
        labels: c.labels ?? [],
        notes: c.reviews.map((r) =>
          r.kind === "approve"
            ? { author: r.user, body: "approved this merge request", system: true, createdAt: r.at }
            : { author: r.user, body: "Looks fine, one nit", system: false, createdAt: r.at },
        ),
      });
    } else {
      const sha = step.ship === "head" ? project.commits.at(-1)!.sha : shipped.get(step.ship)!;
      shipped.set(step.id, sha);
      gl.deploy(project, step.id, sha, step.startedAt, step.status, step.finishedAt, { environment: step.environment ?? "production" });
    }
  }
}

const METRICS: MetricId[] = ["deployment_frequency", "change_failure_rate", "lead_time", "rework_rate"];

async function answers(deps: AppDeps) {
  const ctx = { store: deps.store, config: deps.config, nowMs: NOW };
  const window = { fromMs: NOW - 30 * DAY, toMs: NOW };
  return Object.fromEntries(
    await Promise.all(METRICS.map(async (metric) => [metric, await answerKpi(ctx, { metric, scope: { kind: "service", id: "shop" }, window, windowLabel: "last 30 days" })] as const)),
  );
}

let github: FakeGithub;
let gitlab: FakeGitlab;
beforeEach(async () => {
  github = await new FakeGithub({ token: gh.TOKEN }).start();
  gitlab = await new FakeGitlab({ token: gl.GITLAB_TOKEN }).start();
});
afterEach(async () => {
  await github.stop();
  await gitlab.stop();
});

describe("the same history on GitHub and on GitLab", () => {
  it("gives identical deployment frequency, change failure rate and lead time", async () => {
    const steps = history();
    serveOnGithub(github.repo("acme", "shop"), steps);
    serveOnGitlab(gitlab.project("acme/shop"), steps);
    const onGithub = gh.testDeps(github, "services:\n  - id: shop\n    github: { repo: acme/shop }\n");
    const onGitlab = gl.gitlabDeps(gitlab, "services:\n  - id: shop\n    gitlab: { project: acme/shop }\n");
    await gh.source.sync(onGithub);
    await gl.source.sync(onGitlab);

    const a = await answers(onGithub);
    const b = await answers(onGitlab);
    // The history is not trivial: a failure, several changes with all lead-time stages.
    expect(a.deployment_frequency!.value).toBe(9 / 30);
    expect(a.change_failure_rate!.value).toBeGreaterThan(0);
    expect(a.lead_time!.sample_size).toBe(10);
    // Whole answers, drivers and notes included; only links into the forge differ.
    const withoutLinks = (answer: unknown) => JSON.parse(JSON.stringify(answer, (key, value: unknown) => (key === "url" ? undefined : value))) as unknown;
    for (const metric of METRICS) {
      expect(b[metric]!.value).toBe(a[metric]!.value);
      expect(withoutLinks(b[metric])).toEqual(withoutLinks(a[metric]));
    }
  });
});
