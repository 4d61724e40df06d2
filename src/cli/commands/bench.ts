import { LOCAL_SERVER_URL, serverAnswers, serverOf } from "../../../bench/postgres.js";
import { formatBench, POSTGRES_TARGET_RATIO, runBench } from "../../../bench/run.js";
import { formatStartup, measureStartup, STARTUP_TARGET_RATIO, type StartupResult } from "../../../bench/startup.js";
import { COMMON_HELP, UsageError, type CliCommand } from "../context.js";

export const benchCommand: CliCommand = {
  name: "bench",
  help: `Usage: vitals bench [--scale N] [--runs N] [--database-url URL | --sqlite-only] [--keep] [--json] [options]

Generates a large organisation (at --scale 1: 240 services in 24 teams, 2 years, over 1,000,000
deployment + change rows and over 100,000 incidents, plus daily samples) into a temporary SQLite
database through the normal import path, then times \`ask\` for every metric at org, team and
service scope (median of --runs answers, each with previous window, 12-week series and drivers).
Also times the CLI start-up: \`vitals ask\` on a small demo database against \`node -e 0\` (target:
within ${STARTUP_TARGET_RATIO}×; skipped with --no-startup or when not run through bin/vitals.js).
Prints the figures; exits 1 when a target is missed (< 100 ms org and team, < 30 ms service).

PostgreSQL (issue 19): the same org is imported into a fresh database on a PostgreSQL server
(created for the run, dropped after), the same answers are timed, and both engines are printed side
by side with PostgreSQL/SQLite for the import (target ≤ ${POSTGRES_TARGET_RATIO.import}×) and each org answer (target ≤ ${POSTGRES_TARGET_RATIO.org}×).
The server is --database-url, else BENCH_DATABASE_URL, else ${LOCAL_SERVER_URL} when it
answers; without one, only SQLite is timed (and the output says so). DATABASE_URL is not used: the
bench creates and drops databases, which is no job for the app's own connection.

  --scale N   size of the org (default 1; e.g. 0.1 for a quick run)
  --runs N    timed answers per metric and scope (default 7)
  --database-url URL  a PostgreSQL server to bench as well (its user must be allowed CREATE DATABASE)
  --sqlite-only       time SQLite only, even when a local PostgreSQL server answers
  --keep      keep the temporary databases (the SQLite path and the PostgreSQL name are printed)
  --json      print the figures as JSON

${COMMON_HELP}`,
  options: { scale: { type: "string" }, runs: { type: "string" }, keep: { type: "boolean" }, json: { type: "boolean" }, "no-startup": { type: "boolean" }, "database-url": { type: "string" }, "sqlite-only": { type: "boolean" } },
  allowPositionals: false,
  async run(ctx) {
    const scale = ctx.values.scale === undefined ? 1 : Number(ctx.values.scale);
    if (!Number.isFinite(scale) || scale <= 0 || scale > 4) throw new UsageError(`--scale: expected a number above 0 and at most 4 (got "${String(ctx.values.scale)}")`);
    const runs = ctx.values.runs === undefined ? 7 : Number(ctx.values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new UsageError(`--runs: expected a whole number from 1 to 100 (got "${String(ctx.values.runs)}")`);
    const json = ctx.values.json === true;
    const postgresServerUrl = await postgresServer(ctx.values["database-url"], ctx.values["sqlite-only"] === true, ctx.io.env.BENCH_DATABASE_URL, (line) => ctx.io.stderr(`${line}\n`));
    const result = await runBench({
      ...(postgresServerUrl !== undefined ? { postgresServerUrl } : {}),
      nowMs: ctx.now(),
      scale,
      runs,
      keepDatabase: ctx.values.keep === true,
      progress: (line) => ctx.io.stderr(`${line}\n`),
    });
    // The process's own entry point is the CLI to time (bin/vitals.js, running dist/ or the sources).
    const bin = process.argv[1];
    let startup: StartupResult | undefined;
    if (ctx.values["no-startup"] !== true && bin && /vitals(\.js)?$/.test(bin)) {
      ctx.io.stderr("Timing the CLI start-up …\n");
      startup = measureStartup(bin);
    }
    ctx.io.stdout(
      json
        ? `${JSON.stringify({ scale, runs, ...result, ...(startup ? { startup } : {}) }, null, 2)}\n`
        : `${formatBench(result, { scale, runs })}\n${startup ? `${formatStartup(startup)}\n` : ""}`,
    );
    if (ctx.values.keep === true) ctx.io.stderr(`Database kept at ${result.databasePath}\n`);
    const startupMissed = startup !== undefined && startup.ratio > STARTUP_TARGET_RATIO;
    return result.misses.length === 0 && (result.postgres?.misses.length ?? 0) === 0 && !startupMissed ? 0 : 1;
  },
};

/** The PostgreSQL server to bench, if any: a given URL must answer; the local default is only tried. */
async function postgresServer(flag: unknown, sqliteOnly: boolean, env: string | undefined, say: (line: string) => void): Promise<string | undefined> {
  if (sqliteOnly) {
    if (flag !== undefined) throw new UsageError("--sqlite-only and --database-url exclude each other");
    return undefined;
  }
  const given = typeof flag === "string" ? flag : env?.trim() ? env.trim() : undefined;
  if (given !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(given)) throw new UsageError(`${typeof flag === "string" ? "--database-url" : "BENCH_DATABASE_URL"}: expected postgres://user@host:5432/database`);
    if (!(await serverAnswers(given))) throw new UsageError(`PostgreSQL: no server answered at ${serverOf(given)}`);
    return given;
  }
  if (await serverAnswers(LOCAL_SERVER_URL)) return LOCAL_SERVER_URL;
  say(`PostgreSQL: no server answered at ${serverOf(LOCAL_SERVER_URL)}; timing SQLite only (give --database-url or BENCH_DATABASE_URL to bench one)`);
  return undefined;
}
