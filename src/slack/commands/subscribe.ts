import { noticeBlocks } from "../../present/blocks/errors.js";
import { escapeMrkdwn } from "../../present/blocks/format-slack.js";
import type { KpiReply, KpiSubcommand } from "../kpi-subcommand.js";
import { toReply } from "../reply.js";
import { currentConfig } from "../runtime.js";
import { parseChannel } from "./args.js";

const USAGE = "subscribe #channel <team>";

function problem(message: string): KpiReply {
  return toReply(noticeBlocks(`:warning: ${escapeMrkdwn(message)}`, `Usage: \`/kpi ${USAGE}\`, e.g. \`/kpi subscribe #payments-eng payments\``));
}

/** `/kpi subscribe`: the channel a team's weekly digest and alerts go to (overrides `teams[].channel`). */
export const subscribeSubcommand: KpiSubcommand = {
  name: "subscribe",
  usage: USAGE,
  summary: "send a team's digests and alerts to a channel",
  adminOnly: true,
  async run(ctx) {
    if (ctx.args.length !== 2) return problem(`expected a channel and a team, got ${ctx.args.length} argument(s).`);
    const channel = parseChannel(ctx.args[0]!);
    if (!channel) return problem(`"${ctx.args[0]}" is not a channel: pick it with # so Slack sends its id.`);
    const config = currentConfig(ctx.deps);
    const name = ctx.args[1]!.toLowerCase();
    const team = config.teams.find((t) => t.id === name || t.name.toLowerCase() === name);
    if (!team) return problem(`unknown team "${ctx.args[1]}"; teams: ${config.teams.map((t) => t.id).join(", ") || "none configured"}.`);
    await ctx.deps.store.slack.subscribe({ team_id: team.id, channel, set_by: ctx.userId, set_at: ctx.deps.now() });
    ctx.deps.logger.info({ team: team.id, channel, userId: ctx.userId }, "team channel set from Slack");
    return toReply(
      noticeBlocks(
        `:incoming_envelope: ${escapeMrkdwn(team.name)}'s digests and alerts now go to <#${channel}>.`,
        "Invite the Vitals app to the channel (`/invite @Vitals`) so it can post there.",
      ),
    );
  },
};
