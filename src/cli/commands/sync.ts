import { failureFrom, failureLine, sourceHost } from "../../sources/errors.js";
import { createClients } from "../../app/clients.js";
import { SYNC_SOURCE_NAMES } from "../../sources/registry.js";
import { COMMON_HELP, UsageError, type CliCommand } from "../context.js";

export const syncCommand: CliCommand = {
  name: "sync",
  help: `Usage: vitals sync [SOURCE...] [--backfill-days N] [options]

Pulls from each configured source (GitHub, GitLab, PagerDuty, Prometheus, SonarQube: a source is configured
when its credentials are in the environment and at least one service in the YAML file names it),
continuing from the stored cursors. Re-running a sync changes nothing. With SOURCE names, only those.
--backfill-days N fetches N days back instead of continuing from the cursor.

${COMMON_HELP}`,
  options: { "backfill-days": { type: "string" } },
  allowPositionals: true,
  async run(ctx) {
    const known: readonly string[] = SYNC_SOURCE_NAMES;
    const unknown = ctx.positionals.filter((name) => !known.includes(name));
    if (unknown.length > 0) throw new UsageError(`sync: unknown source "${unknown[0]}"; expected one of ${known.join(", ")}`);
    const backfillArg = ctx.values["backfill-days"];
    const backfillDays = backfillArg === undefined ? undefined : Number(backfillArg);
    if (backfillDays !== undefined && (!Number.isInteger(backfillDays) || backfillDays <= 0)) {
      throw new UsageError(`--backfill-days: expected a positive whole number (got "${String(backfillArg)}")`);
    }
    const deps = await ctx.deps();
    const wanted = createClients().syncSources.filter((s) => ctx.positionals.length === 0 || ctx.positionals.includes(s.name));
    let failed = 0;
    let ran = 0;
    for (const source of wanted) {
      if (!source.configured(deps)) {
        if (ctx.positionals.includes(source.name)) {
          ctx.io.stderr(`${source.name}: not configured (see the README section for its settings)\n`);
          failed++;
        }
        continue;
      }
      ran++;
      try {
        const report = await source.sync(deps, backfillDays === undefined ? {} : { backfillDays });
        ctx.io.stdout(
          `${report.source}: ${report.fetched} fetched — ${report.inserted} new, ${report.updated} updated, ${report.unchanged} unchanged\n` +
            report.notes.map((n) => `  ${n}\n`).join(""),
        );
        for (const failure of report.failures ?? []) ctx.io.stderr(`${failureLine(failure)}\n`);
        if ((report.failures ?? []).length > 0) failed++;
      } catch (error) {
        failed++;
        ctx.io.stderr(`${failureLine(failureFrom(source.name, sourceHost(source.name, ctx.env), error))}\n`);
        if (ctx.env.LOG_LEVEL === "debug" || ctx.env.LOG_LEVEL === "trace") ctx.io.stderr(`${(error as Error).stack ?? ""}\n`);
      }
    }
    if (failed > 0) ctx.io.stderr(`vitals sync: ${failed} source${failed === 1 ? "" : "s"} failed; what was written is kept and the next sync resumes from it\n`);
    if (ran === 0 && failed === 0) ctx.io.stdout("No source is configured: set tokens in the environment and name repos/services in the YAML file.\n");
    return failed > 0 ? 1 : 0;
  },
};
