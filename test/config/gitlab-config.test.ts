import { describe, expect, it } from "vitest";
import { parseFileConfig } from "../../src/config/file.js";
import { parseEnv } from "../../src/config/env.js";
import { syncIntervalMinutes } from "../../src/jobs/syncs.js";
import { projectTargets } from "../../src/sources/gitlab/targets.js";
import { createClients } from "../../src/app/clients.js";

describe("gitlab settings in the config file", () => {
  it("takes a path with subgroups or a numeric id, and defaults the environment to production_environment", () => {
    const config = parseFileConfig(
      "production_environment: prod\nservices:\n  - id: a\n    gitlab: { project: acme/platform/a }\n  - id: b\n    gitlab: { project: 4211, environment: live }\n",
      "vitals.yml",
    );
    expect(projectTargets(config)).toEqual([
      { service: "a", project: "acme/platform/a", environment: "prod" },
      { service: "b", project: "4211", environment: "live" },
    ]);
    expect(config.gitlab).toEqual({ sync_every_minutes: 15, backfill_days: 90, first_deployment_lookback_days: 30 });
  });

  it("names the line and field of a project that is neither a path nor an id", () => {
    expect(() => parseFileConfig("services:\n  - id: a\n    gitlab: { project: shop }\n", "vitals.yml")).toThrow(
      expect.objectContaining({ problems: ["vitals.yml:3: services.0.gitlab.project: expected group/name (subgroups allowed) or a numeric project id"] }),
    );
  });

  it("is one of the scheduled sync sources, configured by GITLAB_TOKEN and a service with gitlab.project", () => {
    const config = parseFileConfig("services:\n  - id: a\n    gitlab: { project: acme/a }\ngitlab: { sync_every_minutes: 5 }\n", "vitals.yml");
    const gitlab = createClients().syncSources.find((s) => s.name === "gitlab")!;
    expect(gitlab.configured({ env: parseEnv({ GITLAB_TOKEN: "glpat-x" }), config })).toBe(true);
    expect(gitlab.configured({ env: parseEnv({}), config })).toBe(false);
    expect(gitlab.configured({ env: parseEnv({ GITLAB_TOKEN: "glpat-x" }), config: parseFileConfig("{}", "vitals.yml") })).toBe(false);
    expect(syncIntervalMinutes(config, "gitlab")).toBe(5);
  });
});
