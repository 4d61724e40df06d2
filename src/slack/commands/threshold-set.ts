import { METRICS } from "../../metrics/catalog.js";
import { ORG, type Scope } from "../../domain/scope.js";
import { metricByName } from "../../query/aliases.js";
import { formatValue } from "../../present/format-value.js";
import { noticeBlocks as notice } from "../../present/blocks/errors.js";
import { toReply } from "../reply.js";
import { escapeMrkdwn } from "../../present/blocks/format-slack.js";
import type { KpiSubcommand, KpiReply } from "../kpi-subcommand.js";
import { resolveScopeWords, scopeName } from "./args.js";
import { parseThresholdValue, UNIT_HINT } from "./threshold-value.js";

const noticeBlocks = (mrkdwn: string, detail?: string) => toReply(notice(mrkdwn, detail));

const USAGE = "threshold set <metric> warn <x> critical <y> [for <team|service>]";

function problem(message: string): KpiReply {
  return noticeBlocks(`:warning: ${escapeMrkdwn(message)}`, `Usage: \`/kpi ${USAGE}\`, e.g. \`/kpi threshold set mttr warn 4h critical 1d for team payments\``);
}

/** `/kpi threshold set`: stored in the database, wins over the YAML threshold for the same metric and scope. */
export const thresholdSetSubcommand: KpiSubcommand = {
  name: "threshold set",
  usage: USAGE,
  summary: "set a KPI threshold (overrides vitals.yml)",
  adminOnly: true,
  async run(ctx) {
    const words = [...ctx.args];
    const warnAt = words.findIndex((w) => w.toLowerCase() === "warn");
    const criticalAt = words.findIndex((w) => w.toLowerCase() === "critical");
    if (warnAt < 1 || criticalAt < 0) return problem("expected a metric, then `warn <x>` and `critical <y>`.");
    const metric = metricByName(words.slice(0, warnAt).join(" ").toLowerCase());
    if (!metric) return problem(`unknown metric "${words.slice(0, warnAt).join(" ")}"; try \`/kpi help\` for the metric names.`);
    const unit = METRICS[metric].unit;
    const warn = parseThresholdValue(words[warnAt + 1] ?? "", unit);
    const critical = parseThresholdValue(words[criticalAt + 1] ?? "", unit);
    if (warn === undefined) return problem(`warn: expected ${UNIT_HINT[unit]}, got "${words[warnAt + 1] ?? ""}".`);
    if (critical === undefined) return problem(`critical: expected ${UNIT_HINT[unit]}, got "${words[criticalAt + 1] ?? ""}".`);
    const direction = METRICS[metric].direction;
    if (direction === "higher_is_worse" ? critical < warn : critical > warn) {
      const side = direction === "higher_is_worse" ? "at or above" : "at or below";
      return problem(`for ${METRICS[metric].label} higher is ${direction === "higher_is_worse" ? "worse" : "better"}, so critical must be ${side} warn.`);
    }
    const forAt = words.findIndex((w) => w.toLowerCase() === "for");
    const used = new Set([...Array.from({ length: warnAt }, (_, i) => i), warnAt, warnAt + 1, criticalAt, criticalAt + 1]);
    const scopeWords = forAt >= 0 ? words.slice(forAt + 1) : [];
    const extra = words.filter((_, i) => !used.has(i) && (forAt < 0 || i < forAt));
    if (extra.length > 0) return problem(`unexpected "${extra.join(" ")}".`);
    let scope: Scope = ORG;
    if (forAt >= 0) {
      const resolved = await resolveScopeWords(ctx, scopeWords);
      if (!resolved.ok) return problem(resolved.error);
      scope = resolved.value;
    }
    await ctx.deps.store.slack.setThreshold({
      metric,
      scope_kind: scope.kind,
      scope_id: scope.id,
      warn,
      critical,
      set_by: ctx.userId,
      set_at: ctx.deps.now(),
    });
    ctx.deps.logger.info({ metric, scope, warn, critical, userId: ctx.userId }, "threshold set from Slack");
    return noticeBlocks(
      `:white_check_mark: ${METRICS[metric].label} for ${escapeMrkdwn(scopeName(scope))}: warn at ${formatValue(warn, unit)}, critical at ${formatValue(critical, unit)}.`,
      "Stored in Vitals; it overrides vitals.yml for this metric and scope. `/kpi config` lists the settings in force.",
    );
  },
};
