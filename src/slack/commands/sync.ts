import { noticeBlocks } from "../../present/blocks/errors.js";
import { escapeMrkdwn } from "../../present/blocks/format-slack.js";
import type { SyncSource } from "../../sources/types.js";
import type { KpiSubcommand } from "../kpi-subcommand.js";
import { toReply } from "../reply.js";

/**
 * `/kpi sync`: pull every configured source now (as `vitals sync` does). The router has already
 * acknowledged, so the sync may take longer than Slack's 3 seconds; the result is the reply, and
 * the router then runs the after-sync hook (alerts, reviews, App Home refresh). The sources (and
 * their clients) are the ones the composition root built for the scheduler.
 */
export function createSyncSubcommand(sources: readonly SyncSource[]): KpiSubcommand {
  return {
    name: "sync",
    usage: "sync",
    summary: "pull from GitHub, GitLab, PagerDuty, Prometheus and SonarQube now",
    adminOnly: true,
    async run(ctx) {
      const configured = sources.filter((s) => s.configured(ctx.deps));
      if (configured.length === 0) {
        return toReply(noticeBlocks("No source is configured: set the tokens in the environment and name repos/services in vitals.yml (README: Configuration)."));
      }
      const lines: string[] = [];
      for (const source of configured) {
        try {
          const r = await source.sync(ctx.deps);
          lines.push(`*${r.source}*: ${r.fetched} fetched — ${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged${r.notes.length ? `\n    ${r.notes.slice(0, 5).map(escapeMrkdwn).join("\n    ")}` : ""}`);
        } catch (error) {
          // The message of a failed sync names the source's problem (token, rate limit); never a stack.
          ctx.deps.logger.error({ err: error, source: source.name }, "sync from Slack failed");
          lines.push(`*${source.name}*: :x: failed — ${escapeMrkdwn((error as Error).message ?? String(error)).slice(0, 300)}`);
        }
      }
      return toReply(noticeBlocks(`:arrows_counterclockwise: Sync finished\n${lines.join("\n")}`));
    },
  };
}
