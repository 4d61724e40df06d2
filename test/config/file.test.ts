import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { parseFileConfig } from "../../src/config/file.js";

function problemsOf(text: string): readonly string[] {
  try {
    parseFileConfig(text, "vitals.yml");
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("the YAML config file", () => {
  it("fills defaults for an empty file", () => {
    const config = parseFileConfig("", "vitals.yml");
    expect(config.timezone).toBe("UTC");
    expect(config.production_environment).toBe("production");
    expect(config.metrics.attribution_window_hours).toBe(24);
    expect(config.metrics.outage_severities).toEqual(["SEV1"]);
    expect(config.teams).toEqual([]);
  });

  it("reports each problem with its line and field", () => {
    const text = ["teams:", "  - id: payments", "    name: Payments", "    timezone: Mars/Olympus", "thresholds:", "  - metric: mtbf", "    warn: 1", "    critical: 2"].join("\n");
    expect(problemsOf(text)).toEqual([
      "vitals.yml:4: teams.0.timezone: expected an IANA time zone such as Europe/Berlin",
      expect.stringMatching(/^vitals\.yml:6: thresholds\.0\.metric: /),
    ]);
  });

  it("rejects a service owned by two teams and duplicate ids", () => {
    const text = ["teams:", "  - {id: a, name: A, services: [checkout]}", "  - {id: b, name: B, services: [checkout]}", "  - {id: b, name: B2}"].join("\n");
    const problems = problemsOf(text);
    expect(problems).toContain('vitals.yml:3: teams.1.services.0: service "checkout" already belongs to team "a"');
    expect(problems).toContain('vitals.yml:4: teams.2.id: duplicate team id "b"');
  });

  it("reports YAML syntax errors with a line", () => {
    expect(problemsOf("teams: [\n  - id: x")[0]).toMatch(/^vitals\.yml:\d+: /);
  });

  it("rejects unknown fields instead of ignoring a typo", () => {
    expect(problemsOf("timezon: UTC")[0]).toMatch(/^vitals\.yml:1: /);
  });

  it("accepts the example file shipped in the repository", () => {
    const config = parseFileConfig(readFileSync("vitals.example.yml", "utf8"), "vitals.example.yml");
    expect(config.teams.length).toBeGreaterThan(0);
  });
});
