import { describe, expect, it } from "vitest";
import { SECRET_SETTINGS, parseEnv, redactDatabaseUrl, requireSlackSettings } from "../../src/config/env.js";
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

describe("DATABASE_URL (issue 19: PostgreSQL as a second store)", () => {
  it("accepts postgres:// and postgresql:// URLs", () => {
    expect(parseEnv({ DATABASE_URL: "postgres://vitals:s3cret@db:5432/vitals" }).DATABASE_URL).toBe("postgres://vitals:s3cret@db:5432/vitals");
    expect(parseEnv({ DATABASE_URL: " postgresql://db/vitals?sslmode=require " }).DATABASE_URL).toBe("postgresql://db/vitals?sslmode=require");
  });

  it("is unset by default, and SQLite keeps its default path", () => {
    const env = parseEnv({ DATABASE_URL: "" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.DATABASE_PATH).toBe("./data/vitals.db");
  });

  it("rejects other schemes, naming the variable and what it expects but never the value", () => {
    for (const value of ["mysql://root:hunter2@db/vitals", "./data/vitals.db", "postgres:/db/hunter2", "http://db:5432/hunter2"]) {
      const problems = problemsOf(() => parseEnv({ DATABASE_URL: value }));
      expect(problems).toEqual([
        "DATABASE_URL: expected a PostgreSQL URL, postgres://user:password@host:5432/database (or postgresql://…)",
      ]);
      expect(problems.join("\n")).not.toContain("hunter2");
    }
  });

  it("refuses DATABASE_URL and DATABASE_PATH together at start-up", () => {
    const problems = problemsOf(() => parseEnv({ DATABASE_URL: "postgres://db/vitals", DATABASE_PATH: "/var/lib/vitals.db" }));
    expect(problems).toEqual([
      "DATABASE_URL, DATABASE_PATH: set one, not both (DATABASE_URL selects PostgreSQL, DATABASE_PATH the SQLite file)",
    ]);
  });

  it("is a secret setting, so the logger redacts it", () => {
    expect(SECRET_SETTINGS).toContain("DATABASE_URL");
  });
});

describe("redactDatabaseUrl", () => {
  it("replaces the password with *** and keeps the rest for the log line", () => {
    expect(redactDatabaseUrl("postgres://vitals:s3cret@db:5432/vitals")).toBe("postgres://vitals:***@db:5432/vitals");
    expect(redactDatabaseUrl("postgresql://vitals:p%40ss@db/vitals?sslmode=require")).toBe("postgresql://vitals:***@db/vitals?sslmode=require");
  });

  it("redacts a password given as a parameter", () => {
    expect(redactDatabaseUrl("postgres://vitals@db/vitals?password=s3cret&sslmode=require")).toBe("postgres://vitals@db/vitals?password=***&sslmode=require");
  });

  it("leaves a URL without a password as it is", () => {
    expect(redactDatabaseUrl("postgres://postgres@127.0.0.1:5432/postgres")).toBe("postgres://postgres@127.0.0.1:5432/postgres");
  });

  it("never echoes what it cannot parse", () => {
    expect(redactDatabaseUrl("postgres://vitals:s3cret@[db/vitals")).toBe("(unparseable database URL)");
  });
});
