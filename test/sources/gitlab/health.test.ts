import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { healthReport } from "../../../src/http/health.js";
import { createKpiExporter } from "../../../src/http/metrics-exporter.js";
import { syncRunner } from "../../../src/jobs/syncs.js";
import { computeQueue } from "../../../src/query/compute-queue.js";
import { FakeGitlab } from "../../fakes/gitlab/server.js";
import { at, deploy, GITLAB_TOKEN, gitlabDeps, NOW, pushCommit, source } from "./helpers.js";

// GitLab's sync health reads like the other sources': /healthz lists each project's cursor with its
// last success and last error, and the exporter counts the failed projects and the last success.

const CONFIG = "services:\n  - id: shop\n    gitlab: { project: acme/shop }\n  - id: web\n    gitlab: { project: acme/web }\n";

let fake: FakeGitlab;
beforeEach(async () => {
  fake = await new FakeGitlab({ token: GITLAB_TOKEN }).start();
  const project = fake.project("acme/shop");
  deploy(project, 1, pushCommit(project, "a", at(3)), at(2), "success", at(2, 1));
});
afterEach(() => fake.stop());

async function metrics(exporter: ReturnType<typeof createKpiExporter>) {
  await exporter.refresh();
  const families = parsePrometheusTextFormat(await exporter.registry.metrics());
  const of = (name: string) => families.find((f) => f.name === name)?.metrics.filter((m) => (m as { labels?: { source?: string } }).labels?.source === "gitlab");
  return { errors: of("vitals_sync_errors_total"), lastSuccess: of("vitals_sync_last_success_timestamp_seconds") };
}

describe("GitLab in /healthz and the exporter's sync health", () => {
  it("a project that fails makes /healthz degraded with its error; the synced one shows its success", async () => {
    const deps = gitlabDeps(fake, CONFIG);
    const exporter = createKpiExporter(deps, computeQueue());
    const [report] = await syncRunner(deps, { sources: [source], onSyncError: exporter.syncFailed }).tick();
    expect(report?.failures).toHaveLength(1);

    const health = await healthReport(deps.store);
    expect(health.status).toBe("degraded");
    expect(health.syncs).toEqual([
      { source: "gitlab", key: expect.stringContaining("acme/shop"), last_success_at: new Date(NOW).toISOString(), last_error_at: null, last_error: null },
      {
        source: "gitlab",
        key: expect.stringContaining("acme/web"),
        last_success_at: null,
        last_error_at: new Date(NOW).toISOString(),
        last_error: expect.stringMatching(/^404 not found: project "acme\/web" does not exist/),
      },
    ]);
    expect(await metrics(exporter)).toEqual({ errors: [{ labels: { source: "gitlab" }, value: "1" }], lastSuccess: [{ labels: { source: "gitlab" }, value: String(NOW / 1000) }] });
  });

  it("a token GitLab refuses fails the source once: every project shows the error, the exporter counts one failed run", async () => {
    const deps = gitlabDeps(fake, CONFIG, { GITLAB_TOKEN: "glpat-wrong" });
    const exporter = createKpiExporter(deps, computeQueue());
    expect(await syncRunner(deps, { sources: [source], onSyncError: exporter.syncFailed }).tick()).toEqual([]);

    const health = await healthReport(deps.store);
    expect(health.status).toBe("degraded");
    expect(health.syncs.map((s) => [s.source, s.last_error])).toEqual([
      ["gitlab", expect.stringMatching(/^401 bad token: .*\(check GITLAB_TOKEN\)/)],
      ["gitlab", expect.stringMatching(/^401 bad token: .*\(check GITLAB_TOKEN\)/)],
    ]);
    expect(await metrics(exporter)).toEqual({ errors: [{ labels: { source: "gitlab" }, value: "1" }], lastSuccess: [] });
  });

  it("a successful re-run clears the error and /healthz is ok again", async () => {
    fake.project("acme/web");
    const deps = gitlabDeps(fake, CONFIG);
    await syncRunner(deps, { sources: [source] }).tick();
    expect(await healthReport(deps.store)).toMatchObject({ status: "ok", syncs: [{ source: "gitlab", last_error: null }, { source: "gitlab", last_error: null }] });
  });
});
