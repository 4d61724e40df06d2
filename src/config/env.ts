import { z } from "zod";
import { ConfigError } from "./errors.js";

// Every setting Vitals reads from the environment. Nothing else in the code reads process.env:
// the composition root parses it once and passes the frozen result down.
// z.coerce.boolean() turns "false" into true, so flags are parsed from explicit words.

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const url = (what: string) =>
  z
    .string()
    .trim()
    .url({ message: `expected a URL (${what})` })
    .transform((value) => value.replace(/\/+$/, ""));

const csvList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const port = z.coerce
  .number({ message: "expected a TCP port number" })
  .int("expected a whole number")
  .min(0, "expected 0-65535")
  .max(65535, "expected 0-65535");

// A PostgreSQL connection URL as libpq and `pg` read it (issue 19). Checked by parsing, so the error
// can say what was expected without ever echoing the value: it usually carries a password.
const POSTGRES_URL_EXPECTED = "expected a PostgreSQL URL, postgres://user:password@host:5432/database (or postgresql://…)";
function isPostgresUrl(value: string): boolean {
  if (!/^postgres(ql)?:\/\//i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const envSchema = z.object({
  DATABASE_PATH: z.string().trim().min(1).default("./data/vitals.db"),
  // Selects the PostgreSQL store instead of the SQLite file (issue 19).
  DATABASE_URL: optionalString.pipe(z.string().refine(isPostgresUrl, POSTGRES_URL_EXPECTED).optional()),
  // Most PostgreSQL connections one process opens (each replica its own pool, plus one for the leader lock).
  DATABASE_POOL_MAX: z.coerce.number({ message: "expected a number of connections" }).int().min(1, "expected at least 1 connection").max(100, "expected at most 100 connections").default(10),
  VITALS_CONFIG: z.string().trim().min(1).default("./vitals.yml"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PORT: port.default(3000),
  HOST: z.string().trim().min(1).default("0.0.0.0"),

  SLACK_BOT_TOKEN: optionalString.pipe(
    z.string().startsWith("xoxb-", "expected a bot token starting with xoxb-").optional(),
  ),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.pipe(
    z.string().startsWith("xapp-", "expected an app-level token starting with xapp-").optional(),
  ),
  SLACK_API_URL: optionalString.pipe(url("the Slack Web API base, e.g. https://slack.com/api").optional()),
  VITALS_ADMINS: csvList,

  GITHUB_TOKEN: optionalString,
  GITHUB_APP_ID: optionalString.pipe(z.string().regex(/^\d+$/, "expected the numeric App ID").optional()),
  GITHUB_APP_PRIVATE_KEY: optionalString,
  GITHUB_APP_INSTALLATION_ID: optionalString.pipe(
    z.string().regex(/^\d+$/, "expected the numeric installation ID").optional(),
  ),
  GITHUB_API_URL: url("the GitHub REST API base").default("https://api.github.com"),
  GITHUB_WEBHOOK_SECRET: optionalString,

  GITLAB_TOKEN: optionalString,
  // gitbeaker appends /api/v4 to the instance URL itself, so the setting must name exactly that base.
  GITLAB_API_URL: url("the GitLab REST API base, e.g. https://gitlab.example.com/api/v4")
    .pipe(z.string().regex(/\/api\/v4$/, "expected the REST API base ending in /api/v4, e.g. https://gitlab.example.com/api/v4"))
    .default("https://gitlab.com/api/v4"),
  GITLAB_WEBHOOK_SECRET: optionalString,

  PAGERDUTY_TOKEN: optionalString,
  PAGERDUTY_API_HOST: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, "expected a host name such as api.pagerduty.com (no scheme or path)")
    .default("api.pagerduty.com"),
  PAGERDUTY_WEBHOOK_SECRET: optionalString,

  VITALS_INGEST_TOKEN: optionalString.pipe(
    z.string().min(16, "expected at least 16 characters: it guards the ingest API").optional(),
  ),
  VITALS_READ_TOKEN: optionalString.pipe(
    z.string().min(16, "expected at least 16 characters: it guards the read API").optional(),
  ),
  VITALS_METRICS_TOKEN: optionalString.pipe(
    z.string().min(16, "expected at least 16 characters: it guards /metrics").optional(),
  ),
  INGEST_MAX_BODY_BYTES: z.coerce
    .number({ message: "expected a number of bytes" })
    .int()
    .positive()
    .default(10 * 1024 * 1024),

  PROMETHEUS_URL: optionalString.pipe(url("the Prometheus server, e.g. http://prometheus:9090").optional()),
  SONAR_URL: optionalString.pipe(url("the SonarQube server, or https://sonarcloud.io").optional()),
  SONAR_TOKEN: optionalString,
});

export type Env = Readonly<z.infer<typeof envSchema>>;

/** The names of settings whose values must never be printed. */
export const SECRET_SETTINGS = [
  "DATABASE_URL",
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "GITHUB_TOKEN",
  "GITHUB_APP_PRIVATE_KEY",
  "GITHUB_WEBHOOK_SECRET",
  "GITLAB_TOKEN",
  "GITLAB_WEBHOOK_SECRET",
  "PAGERDUTY_TOKEN",
  "PAGERDUTY_WEBHOOK_SECRET",
  "VITALS_INGEST_TOKEN",
  "VITALS_READ_TOKEN",
  "VITALS_METRICS_TOKEN",
  "SONAR_TOKEN",
] as const;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    // Messages name the variable and what it expects, never the value (it may be a secret).
    const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`);
    throw new ConfigError("invalid environment", problems);
  }
  const env = result.data;
  const problems: string[] = [];
  const appAuth = [env.GITHUB_APP_ID, env.GITHUB_APP_PRIVATE_KEY, env.GITHUB_APP_INSTALLATION_ID];
  if (appAuth.some(Boolean) && !appAuth.every(Boolean)) {
    problems.push(
      "GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID: set all three to use GitHub App auth, or none",
    );
  }
  // DATABASE_PATH has a default, so "both set" is read from the source, before defaults apply.
  if (env.DATABASE_URL && source.DATABASE_PATH !== undefined) {
    problems.push("DATABASE_URL, DATABASE_PATH: set one, not both (DATABASE_URL selects PostgreSQL, DATABASE_PATH the SQLite file)");
  }
  if (problems.length > 0) throw new ConfigError("invalid environment", problems);
  return Object.freeze(env);
}

/** A database URL fit for a log line: the password (in the URL or its `password=` parameter) as ***. */
export function redactDatabaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Never echo what could not be parsed: it may still hold a password.
    return "(unparseable database URL)";
  }
  if (url.password !== "") url.password = "***";
  if (url.searchParams.has("password")) url.searchParams.set("password", "***");
  return url.toString();
}

/** What `vitals start` needs on top of the base settings. */
export function requireSlackSettings(env: Env): void {
  const problems: string[] = [];
  if (!env.SLACK_BOT_TOKEN) problems.push("SLACK_BOT_TOKEN: required to run the Slack app (a bot token, xoxb-…)");
  if (!env.SLACK_SIGNING_SECRET) {
    problems.push("SLACK_SIGNING_SECRET: required to verify requests from Slack (Basic Information → App Credentials)");
  }
  if (problems.length > 0) throw new ConfigError("the Slack app cannot start (set these in the environment or in .env: copy .env.example to .env)", problems);
}
