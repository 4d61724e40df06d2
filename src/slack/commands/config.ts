import { configBlocks, thresholdKey } from "../../present/blocks/config.js";
import type { KpiSubcommand } from "../kpi-subcommand.js";
import { toReply } from "../reply.js";
import { currentConfig } from "../runtime.js";

/** `/kpi config`: the settings in force, those changed from Slack marked as such. */
export const configSubcommand: KpiSubcommand = {
  name: "config",
  usage: "config",
  summary: "list thresholds, teams and channels in force",
  async run(ctx) {
    const slack = ctx.deps.store.slack;
    const iso = (ms: number) => new Date(ms).toISOString();
    return toReply(
      configBlocks({
        config: currentConfig(ctx.deps),
        thresholdsFromSlack: new Map(
          (await slack.thresholds()).map((t) => [
            thresholdKey({ metric: t.metric, team: t.scope_kind === "team" ? t.scope_id : undefined, service: t.scope_kind === "service" ? t.scope_id : undefined }),
            { by: t.set_by, atIso: iso(t.set_at) },
          ]),
        ),
        channelsFromSlack: new Map((await slack.subscriptions()).map((s) => [s.team_id, { by: s.set_by, atIso: iso(s.set_at) }])),
        admins: ctx.deps.env.VITALS_ADMINS,
        incidentFilters: ctx.deps.store.incidentFilters,
        verdicts: await slack.incidentVerdicts(10),
      }),
    );
  },
};
