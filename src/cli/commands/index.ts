import type { CliCommand, LazyCommand } from "../context.js";

// Each command's module is imported only when that command runs: `vitals ask` does not load Bolt,
// the chart renderer or the source clients (a call costs what it uses). The summaries live here,
// for `vitals --help`; the rest (help text, options, run) in the command's own module.

const lazy = (name: string, summary: string, load: () => Promise<CliCommand>): LazyCommand => ({ name, summary, load });

/** Every `vitals` subcommand, in the order `vitals --help` lists them. */
export const COMMANDS: readonly (CliCommand | LazyCommand)[] = [
  lazy("demo", "build a demo database (3 teams, 8 services, a year of data) and run the weekly digest on it", async () => (await import("./demo.js")).demoCommand),
  lazy("import", "import deployments, incidents, metrics and annotations from NDJSON files", async () => (await import("./import.js")).importCommand),
  lazy("sync", "pull deployments, incidents and metrics from the configured sources once", async () => (await import("./sync.js")).syncCommand),
  lazy("digest", "render (or post) the weekly digest of each team, with its trend chart", async () => (await import("./digest.js")).digestCommand),
  lazy("start", "run the Slack app, the scheduled jobs and the HTTP server (health, webhooks)", async () => (await import("./start.js")).startCommand),
  lazy("ask", 'answer a KPI question, e.g. vitals ask "cfr last 30d for payments" (--json for the Answer JSON, --csv for its rows)', async () => (await import("./ask.js")).askCommand),
  lazy("bench", "benchmark: a large generated org in a temp database, the import rate and the time of every answer", async () => (await import("./bench.js")).benchCommand),
  lazy("coverage", "record a service's code coverage from an LCOV, Cobertura or Istanbul report", async () => (await import("./coverage.js")).coverageCommand),
  lazy("cost", "import infrastructure cost from a FinOps FOCUS cost export (CSV)", async () => (await import("./cost.js")).costCommand),
  lazy("migrate-store", "copy a SQLite database into PostgreSQL once, in one verified transaction (--from PATH --to URL)", async () => (await import("./migrate-store.js")).migrateStoreCommand),
];
