import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AppDeps } from "../../app-deps.js";
import type { TeamConfig } from "../../config/file.js";
import { buildTeamDigest, digestJson, postTeamDigest, renderDigestChart } from "../../jobs/digest.js";
import { kpiEngine } from "../../app/engines.js";
import type { KpiEngine } from "../../query/engine.js";
import { renderDigestText } from "../../present/digest-text.js";
import { COMMON_HELP, UsageError, type CliCommand } from "../context.js";
import { commandSlackClient, describeSlackError } from "../../app/slack-client.js";
import { hostOf } from "../../sources/errors.js";

// `vitals digest`: the weekly digest on demand, as text with its chart written to a PNG; with
// --post, posted to the team's channel like the scheduled job (and recorded for the week, so the
// scheduler does not post it a second time).

export function createDigestCommand(engine: () => KpiEngine): CliCommand {
  return {
    name: "digest",
    help: `Usage: vitals digest [--team ID] [--post] [--out DIR] [--json] [options]

Renders each team's weekly digest (or one team's, with --team) as of now (or --now): every KPI with
its week-over-week change, change against the 4-week average, tier, threshold status and a 12-week
sparkline, the biggest mover with its drivers and a root-cause prompt, the week's annotations and the
open post-incident reviews. The 12-week trend chart is written to DIR/digest-<team>-<week>.png
(default DIR: ./data).

  --team ID   only this team
  --post      also post it to the team's Slack channel (needs SLACK_BOT_TOKEN); a week's digest is
              posted once: if it is already out, this says so and posts nothing
  --out DIR   where to write the chart PNGs (default ./data)
  --json      print a JSON array instead, one object per team (team, week, biggest_mover, kpis,
              reviews; a team without data included, with no_data and missing_sources); no chart

${COMMON_HELP}`,
    options: { team: { type: "string" }, post: { type: "boolean" }, out: { type: "string" }, json: { type: "boolean" } },
    allowPositionals: false,
    async run(ctx) {
      const config = ctx.config();
      const teamArg = typeof ctx.values.team === "string" ? ctx.values.team : undefined;
      if (config.teams.length === 0) throw new UsageError("digest: no teams in the config file: add a `teams:` list (see vitals.example.yml)");
      const named = teamArg ? config.teams.filter((t) => t.id === teamArg) : config.teams;
      if (named.length === 0) throw new UsageError(`--team: unknown team "${teamArg}"; teams: ${config.teams.map((t) => t.id).join(", ")}`);
      const post = ctx.values.post === true;
      if (post && !ctx.env.SLACK_BOT_TOKEN) throw new UsageError("--post: set SLACK_BOT_TOKEN (a bot token, xoxb-…) to post to Slack");
      const outDir = typeof ctx.values.out === "string" ? ctx.values.out : "./data";
      const deps = await ctx.deps({ mustExist: true });
      // The effective teams: a channel set with `/kpi subscribe` is where --post goes.
      const teams = named.map((t) => deps.config.teams.find((e) => e.id === t.id) ?? t);
      const nowMs = ctx.now();
      if (ctx.values.json === true) {
        if (post) throw new UsageError("--json: prints the digests; leave out --post");
        const out: ReturnType<typeof digestJson>[] = [];
        for (const team of teams) {
          const { model } = await buildTeamDigest(deps, engine(), team, nowMs);
          out.push(digestJson(model, model.reviews.length));
        }
        ctx.io.stdout(`${JSON.stringify(out, null, 2)}\n`);
        return 0;
      }
      // Bounded retries and deadlines (src/sources/slack/client.ts): an unreachable Slack ends the command within 30 s.
      const slack = post ? commandSlackClient(ctx.env, ctx.env.SLACK_BOT_TOKEN!) : undefined;
      let postFailure: string | undefined;
      await printDigests({ deps, engine: engine(), teams, nowMs, outDir, write: ctx.io.stdout }, async (team) => {
        if (!slack || postFailure) return;
        let outcome: Awaited<ReturnType<typeof postTeamDigest>>;
        try {
          outcome = await postTeamDigest({ deps, slack, engine: engine() }, team, nowMs);
        } catch (error) {
          postFailure = `vitals digest: not posted: Slack at ${hostOf(ctx.env.SLACK_API_URL ?? "https://slack.com/api")}: ${describeSlackError(error, "SLACK_BOT_TOKEN").words}`;
          return;
        }
        if (outcome.result === "posted") ctx.io.stdout(`Posted to ${outcome.channel} (ts ${outcome.ts}).\n`);
        else if (outcome.result === "already_posted") ctx.io.stdout(`Not posted: the digest for the week of ${outcome.week} is already out.\n`);
        else if (outcome.result === "no_data") ctx.io.stdout(`Not posted: no data yet for team ${team.id}.\n`);
        else ctx.io.stdout(`Not posted: team ${team.id} has no channel in the config file.\n`);
      });
      if (postFailure) {
        ctx.io.stderr(`${postFailure}\n`);
        return 1;
      }
      return 0;
    },
  };
}

export interface PrintDigestsOptions {
  readonly deps: AppDeps;
  readonly engine: KpiEngine;
  readonly teams: readonly TeamConfig[];
  readonly nowMs: number;
  /** Where the chart PNGs go (created if missing). */
  readonly outDir: string;
  readonly write: (text: string) => void;
}

/** Print each team's digest as text and write its chart; also what `vitals demo` shows. Returns the chart paths. */
export async function printDigests(options: PrintDigestsOptions, afterEach?: (team: TeamConfig) => Promise<void>): Promise<string[]> {
  await mkdir(options.outDir, { recursive: true });
  const files: string[] = [];
  for (const [index, team] of options.teams.entries()) {
    const { slot, model } = await buildTeamDigest(options.deps, options.engine, team, options.nowMs);
    if (index > 0) options.write("\n");
    options.write(renderDigestText(model));
    const file = join(options.outDir, `digest-${team.id}-${slot.weekKey}.png`);
    await writeFile(file, await renderDigestChart(model));
    options.write(`Chart: ${file}\n`);
    files.push(file);
    await afterEach?.(team);
  }
  return files;
}

export const digestCommand: CliCommand = createDigestCommand(() => kpiEngine);
