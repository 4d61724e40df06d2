import { DAY_MS } from "../../domain/scope.js";
import { digestReview, reviewCalendar } from "../../reviews/reminders.js";
import { reviewLines } from "../../present/digest-text.js";
import type { KpiReply, KpiSubcommand } from "../kpi-subcommand.js";

// `/kpi reviews [for <team>]`: open and overdue post-incident reviews, and the share of
// SEV1/SEV2 incidents of the last 90 days with a completed review.

export const reviewsSubcommand: KpiSubcommand = {
  name: "reviews",
  usage: "reviews [for <team>]",
  summary: "open and overdue post-incident reviews",
  async run({ deps, args, channelId }): Promise<KpiReply> {
    const words = args[0]?.toLowerCase() === "for" ? args.slice(1) : args;
    const teamId = words[0]?.toLowerCase();
    // Without a team, a team's own channel means that team; elsewhere, every team.
    const team = teamId ? deps.config.teams.find((t) => t.id === teamId) : deps.config.teams.find((t) => t.channel === channelId);
    if (teamId && !team) {
      return { text: `Unknown team "${teamId}". Teams: ${deps.config.teams.map((t) => t.id).join(", ") || "none configured"}.` };
    }
    const nowMs = deps.now();
    const reviews = await deps.store.reviews.listOpen(team?.id);
    const zone = reviewCalendar(deps.config, team?.id ?? null).zone;
    const severities = (team?.review_policy ?? deps.config.reviews).severities;
    const lines = reviewLines({
      reviews: reviews.map((r) => digestReview(r, nowMs)),
      reviewCompletion: await deps.store.reviews.completion(severities, nowMs - 90 * DAY_MS, nowMs, team?.id),
      zone,
    });
    const title = `*Post-incident reviews${team ? ` for ${team.name}` : ""}*`;
    const text = [title, ...lines].join("\n");
    return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text: text.slice(0, 3000) } }] };
  },
};
