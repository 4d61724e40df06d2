import { describe, expect, it } from "vitest";
import { parseEnv, requireSlackSettings } from "../../src/config/env.js";
import { ConfigError } from "../../src/config/errors.js";

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("environment settings", () => {
  it("has working defaults for a fresh clone", () => {
    const env = parseEnv({});
    expect(env.DATABASE_PATH).toBe("./data/vitals.db");
    expect(env.GITHUB_API_URL).toBe("https://api.github.com");
    expect(env.PAGERDUTY_API_HOST).toBe("api.pagerduty.com");
    expect(env.PORT).toBe(3000);
    expect(Object.isFrozen(env)).toBe(true);
  });

  it("names the variable and what it expects, never the value", () => {
    const problems = problemsOf(() => parseEnv({ SLACK_BOT_TOKEN: "xoxp-secret-value", PORT: "http", VITALS_INGEST_TOKEN: "short" }));
    expect(problems).toContain("SLACK_BOT_TOKEN: expected a bot token starting with xoxb-");
    expect(problems.some((p) => p.startsWith("PORT: "))).toBe(true);
    expect(problems.some((p) => p.startsWith("VITALS_INGEST_TOKEN: expected at least 16 characters"))).toBe(true);
    expect(problems.join("\n")).not.toContain("xoxp-secret-value");
  });

  it("treats empty values as unset and trims trailing slashes from base URLs", () => {
    const env = parseEnv({ GITHUB_TOKEN: "", GITHUB_API_URL: "http://127.0.0.1:9999/api/v3/" });
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.GITHUB_API_URL).toBe("http://127.0.0.1:9999/api/v3");
  });

  it("splits the admin list", () => {
    expect(parseEnv({ VITALS_ADMINS: " U1, U2 ,," }).VITALS_ADMINS).toEqual(["U1", "U2"]);
  });

  it("requires all three GitHub App settings together", () => {
    expect(problemsOf(() => parseEnv({ GITHUB_APP_ID: "123" }))[0]).toMatch(/set all three/);
  });

  it("says which Slack settings `vitals start` needs", () => {
    const problems = problemsOf(() => requireSlackSettings(parseEnv({})));
    expect(problems.map((p) => p.split(":")[0])).toEqual(["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]);
  });
});
