import { formatBench, runBench } from "../../../bench/run.js";
import { formatStartup, measureStartup, STARTUP_TARGET_RATIO, type StartupResult } from "../../../bench/startup.js";
import { COMMON_HELP, UsageError, type CliCommand } from "../context.js";

export const benchCommand: CliCommand = {
  name: "bench",
  help: `Usage: vitals bench [--scale N] [--runs N] [--keep] [--json] [options]

Generates a large organisation (at --scale 1: 240 services in 24 teams, 2 years, over 1,000,000
deployment + change rows and over 100,000 incidents, plus daily samples) into a temporary SQLite
database through the normal import path, then times \`ask\` for every metric at org, team and
service scope (median of --runs answers, each with previous window, 12-week series and drivers).
Also times the CLI start-up: \`vitals ask\` on a small demo database against \`node -e 0\` (target:
within ${STARTUP_TARGET_RATIO}×; skipped with --no-startup or when not run through bin/vitals.js).
Prints the figures; exits 1 when a target is missed (< 100 ms org and team, < 30 ms service).

  --scale N   size of the org (default 1; e.g. 0.1 for a quick run)
  --runs N    timed answers per metric and scope (default 7)
  --keep      keep the temporary database (its path is printed)
  --json      print the figures as JSON

${COMMON_HELP}`,
  options: { scale: { type: "string" }, runs: { type: "string" }, keep: { type: "boolean" }, json: { type: "boolean" }, "no-startup": { type: "boolean" } },
  allowPositionals: false,
  async run(ctx) {
    const scale = ctx.values.scale === undefined ? 1 : Number(ctx.values.scale);
    if (!Number.isFinite(scale) || scale <= 0 || scale > 4) throw new UsageError(`--scale: expected a number above 0 and at most 4 (got "${String(ctx.values.scale)}")`);
    const runs = ctx.values.runs === undefined ? 7 : Number(ctx.values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new UsageError(`--runs: expected a whole number from 1 to 100 (got "${String(ctx.values.runs)}")`);
    const json = ctx.values.json === true;
    const result = await runBench({
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
    return result.misses.length === 0 && !startupMissed ? 0 : 1;
  },
};
