import { DateTime } from "luxon";
import { METRICS } from "../metrics/catalog.js";
import { ABANDONED_CLAIM_MS } from "../domain/claims.js";
import { HOUR_MS } from "../domain/scope.js";
import { alertBlocks, alertRecoveryText, alertReminderText, alertText, type AlertView } from "../present/alert-blocks.js";
import type { AlertState } from "../store/alerts.js";
import { pastTheLine } from "../metrics/breach.js";
import { formatValue } from "../present/format-value.js";
import { decideAlert, type AlertAction } from "./decide.js";
import { channelForScope } from "../config/teams.js";
import type { KpiEngine, ThresholdEvaluation } from "../query/engine.js";
import { callOptions, postMessage, type SlackContext } from "../sources/slack/calls.js";

// Threshold alerts: evaluate every configured threshold and act on the stored state (once per
// breach, again on escalation, a thread reply on recovery or as a reminder). Each transition is
// claimed in the store before its post (a compare-and-set from the state read), so two replicas,
// or an old leader still finishing its run, never post it twice; a failed post gives it back, so
// a restart neither repeats an alert nor loses one.

/** What an alert run needs: Slack, and the engine that evaluates the thresholds. */
export interface AlertContext extends SlackContext {
  readonly engine: Pick<KpiEngine, "evaluateThresholds">;
}

export interface AlertOutcome {
  readonly metric: string;
  readonly scope: string;
  readonly action: AlertAction["kind"];
  readonly posted: boolean;
}

/**
 * The scheduled evaluation (on the leader only). A breach or escalation claimed by a claimer that
 * died before posting it (src/domain/claims.ts) goes back to ok first, so this evaluation posts it.
 */
export async function runAlerts(ctx: AlertContext, nowMs: number): Promise<AlertOutcome[]> {
  const { deps } = ctx;
  const released = await deps.store.alerts.releaseAbandoned(nowMs - ABANDONED_CLAIM_MS);
  if (released > 0) deps.logger.warn({ released }, "threshold alerts claimed by a replica that died before posting were given back");
  const evaluations = await ctx.engine.evaluateThresholds({ store: deps.store, config: deps.config, nowMs });
  const policy = { hysteresisPct: deps.config.alerts.hysteresis_pct, reminderMs: deps.config.alerts.reminder_hours * HOUR_MS };
  const outcomes: AlertOutcome[] = [];
  for (const evaluation of evaluations) {
    const memory = await deps.store.alerts.get(evaluation.metric, evaluation.scope);
    const info = METRICS[evaluation.metric];
    const action = decideAlert(
      memory,
      { status: evaluation.status, value: evaluation.value, warn: evaluation.warn, critical: evaluation.critical, direction: info.direction, unit: info.unit },
      policy,
      nowMs,
    );
    if (action.kind === "none") continue;
    try {
      const posted = await apply(ctx, evaluation, memory, action, nowMs);
      if (posted === null) continue; // another run made this transition first
      outcomes.push({ metric: evaluation.metric, scope: `${evaluation.scope.kind}:${evaluation.scope.id ?? ""}`, action: action.kind, posted });
    } catch (error) {
      // State is unchanged, so the next evaluation tries again.
      deps.logger.error({ err: error, metric: evaluation.metric, scope: evaluation.scope }, "threshold alert failed");
    }
  }
  return outcomes;
}

/** Whether a message went out; null when another run claimed the transition first. */
async function apply(ctx: AlertContext, e: ThresholdEvaluation, memory: AlertState | undefined, action: Exclude<AlertAction, { kind: "none" }>, nowMs: number): Promise<boolean | null> {
  const { deps } = ctx;
  const channel = channelForScope(deps.config, e.scope) ?? null;
  const base: AlertState = memory ?? {
    metric: e.metric,
    scope: e.scope,
    status: "ok",
    sinceMs: nowMs,
    value: null,
    threshold: null,
    channel: null,
    messageTs: null,
    acknowledgedBy: null,
    acknowledgedAtMs: null,
    lastNotifiedAtMs: null,
  };
  const view = (status: "warn" | "critical"): AlertView => ({
    metric: e.metric,
    scopeKind: e.scope.kind,
    scopeId: e.scope.id,
    status,
    value: e.value,
    warn: e.warn,
    critical: e.critical,
    answer: e.answer,
  });
  if (!channel && action.kind !== "deescalate") {
    deps.logger.warn({ metric: e.metric, scope: e.scope }, "threshold alert has no channel (set the team's channel, or alerts.channel for the organisation)");
  }
  const opts = callOptions(ctx);
  const alerts = deps.store.alerts;
  // Claim `next`, then post; a failed post moves the state back to what it was, for the next run.
  const claimed = async <T>(next: AlertState, post: () => Promise<T>): Promise<{ posted: T } | undefined> => {
    if (!(await alerts.transition(memory, next))) return undefined;
    try {
      return { posted: await post() };
    } catch (error) {
      await alerts.transition(next, memory);
      throw error;
    }
  };
  switch (action.kind) {
    case "breach":
    case "escalate": {
      const next: AlertState = {
        ...base,
        status: action.status,
        sinceMs: nowMs,
        value: e.value,
        threshold: action.status === "critical" ? e.critical : e.warn,
        channel,
        messageTs: null,
        acknowledgedBy: null,
        acknowledgedAtMs: null,
        lastNotifiedAtMs: nowMs,
      };
      const won = await claimed(next, async () => {
        if (!channel) return null;
        const message = alertBlocks(view(action.status), action.kind === "escalate");
        return (await postMessage(ctx.slack, { channel, text: message.text, blocks: message.blocks }, opts)).ts;
      });
      if (won === undefined) return null;
      if (won.posted !== null) await alerts.recordMessage(next, won.posted);
      return won.posted !== null;
    }
    case "deescalate":
      return (await alerts.transition(memory, { ...base, status: "warn", value: e.value, threshold: e.warn })) ? false : null;
    case "recover": {
      const target = base.channel ?? channel;
      const next: AlertState = { ...base, status: "ok", sinceMs: nowMs, value: e.value, threshold: null, acknowledgedBy: null, acknowledgedAtMs: null, lastNotifiedAtMs: nowMs };
      const won = await claimed(next, async () => {
        if (target) await postMessage(ctx.slack, { channel: target, text: alertRecoveryText(e.answer, e.value), ...(base.messageTs ? { thread_ts: base.messageTs, reply_broadcast: true } : {}) }, opts);
      });
      return won === undefined ? null : target !== null;
    }
    case "remind": {
      const target = base.channel ?? channel;
      const next: AlertState = { ...base, value: e.value, lastNotifiedAtMs: nowMs };
      const won = await claimed(next, async () => {
        if (!target) return;
        const since = DateTime.fromMillis(base.sinceMs, { zone: deps.config.timezone }).toFormat("ccc d LLL HH:mm");
        await postMessage(ctx.slack, { channel: target, text: alertReminderText(view(action.status), since), ...(base.messageTs ? { thread_ts: base.messageTs } : {}) }, opts);
      });
      return won === undefined ? null : target !== null;
    }
  }
}

/**
 * The alerts a run would post now, as text, without posting or recording anything (what
 * `vitals demo` shows; no Slack needed).
 */
export async function pendingAlertTexts(deps: AlertContext["deps"], engine: AlertContext["engine"], nowMs: number): Promise<string[]> {
  const policy = { hysteresisPct: deps.config.alerts.hysteresis_pct, reminderMs: deps.config.alerts.reminder_hours * HOUR_MS };
  const texts: string[] = [];
  for (const e of await engine.evaluateThresholds({ store: deps.store, config: deps.config, nowMs })) {
    const info = METRICS[e.metric];
    const action = decideAlert(await deps.store.alerts.get(e.metric, e.scope), { status: e.status, value: e.value, warn: e.warn, critical: e.critical, direction: info.direction, unit: info.unit }, policy, nowMs);
    if (action.kind !== "breach" && action.kind !== "escalate") continue;
    const view: AlertView = { metric: e.metric, scopeKind: e.scope.kind, scopeId: e.scope.id, status: action.status, value: e.value, warn: e.warn, critical: e.critical, answer: e.answer };
    // The top driver of a breach is the one furthest into it, not the largest mover.
    const driver = pastTheLine(e.metric, e.warn, e.answer.drivers)[0];
    // With what put it there (its outages or incidents), as the breach question says.
    const cause = driver ? e.answer.drivers.find((d) => (d.kind === "incident" || d.kind === "outage") && d.service === driver.label && d.contribution === null) : undefined;
    const top = driver ? `; top driver: ${driver.label} (${formatValue(driver.current ?? null, info.unit)}${cause ? `; ${cause.label}: ${cause.detail?.replace(/; .* is past the line$/, "")}` : ""})` : "";
    texts.push(`${alertText(view, action.kind === "escalate")}${top}`);
  }
  return texts;
}
