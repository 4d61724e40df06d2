import { DateTime } from "luxon";
import type { AppDeps } from "../app-deps.js";
import type { TeamConfig } from "../config/file.js";
import { METRIC_IDS } from "../domain/metric-ids.js";
import type { KpiAnswer } from "../domain/answer.js";
import { ABANDONED_CLAIM_MS } from "../domain/claims.js";
import { DAY_MS } from "../domain/scope.js";
import { digestChart } from "../present/chart.js";
import { digestBlocks } from "../present/digest-blocks.js";
import { buildDigestModel, type DigestModel } from "../present/digest-model.js";
import { digestReview } from "../reviews/reminders.js";
import { digestSlot, isDigestDue, teamCalendar, type DigestSlot } from "../config/calendar.js";
import { chartPng } from "./chart-png.js";
import type { KpiEngine } from "../query/engine.js";
import { callOptions, postMessage, uploadFile, type SlackContext } from "../sources/slack/calls.js";

// The weekly digest: per team, in its channel, once per week at its configured day and time in its
// zone. Idempotent through the digests table (claim → post → record), so restarts, double runs and
// a second process never post twice, and a digest missed during downtime goes out once on start-up.

const COMPLETION_DAYS = 90;
const CHART_WEEKS = 12;

/** "16–22 Nov 2026", "30 Nov–6 Dec 2026", "29 Dec 2025–4 Jan 2026". */
function weekRangeLabel(first: DateTime, last: DateTime): string {
  if (first.year !== last.year) return `${first.toFormat("d LLL yyyy")}–${last.toFormat("d LLL yyyy")}`;
  if (first.month !== last.month) return `${first.toFormat("d LLL")}–${last.toFormat("d LLL yyyy")}`;
  return `${first.toFormat("d")}–${last.toFormat("d LLL yyyy")}`;
}

/** What a job run needs: Slack, and the KPI engine it asks (passed in by the composition root). */
export interface JobContext extends SlackContext {
  readonly engine: KpiEngine;
}

export interface TeamDigest {
  readonly slot: DigestSlot;
  readonly model: DigestModel;
}

/** Compute a team's digest for the week containing `nowMs` (its reported week is the one before). */
export async function buildTeamDigest(deps: AppDeps, engine: KpiEngine, team: TeamConfig, nowMs: number): Promise<TeamDigest> {
  const calendar = teamCalendar(deps.config, team);
  const slot = digestSlot(nowMs, calendar);
  const window = { fromMs: slot.reportFromMs, toMs: slot.reportToMs };
  const from = DateTime.fromMillis(window.fromMs, { zone: calendar.zone });
  const last = DateTime.fromMillis(window.toMs - 1, { zone: calendar.zone });
  const weekLabel = weekRangeLabel(from, last);
  const ctx = { store: deps.store, config: deps.config, nowMs };
  // One after another, not all at once: the answers share the store's one connection.
  const answers: KpiAnswer[] = [];
  for (const metric of METRIC_IDS) {
    answers.push(await engine.answerKpi(ctx, { metric, scope: { kind: "team", id: team.id }, window, windowLabel: `week of ${from.toFormat("d LLL")}` }));
  }
  const policy = team.review_policy ?? deps.config.reviews;
  // Awaited like every read (issue 19), so the PostgreSQL store can serve the digest.
  const openReviews = await deps.store.reviews.listOpen(team.id);
  const reviewCompletion = await deps.store.reviews.completion(policy.severities, nowMs - COMPLETION_DAYS * DAY_MS, nowMs, team.id);
  const chartAnnotations = await deps.store.digests.chartAnnotations(team.id, window.toMs - CHART_WEEKS * 7 * DAY_MS, window.toMs);
  const model = buildDigestModel({
    team: { id: team.id, name: team.name },
    zone: calendar.zone,
    fromMs: window.fromMs,
    toMs: window.toMs,
    weekLabel,
    answers,
    reviews: openReviews.map((r) => digestReview(r, nowMs)),
    reviewCompletion,
    chartAnnotations,
    minSampleSize: deps.config.metrics.min_sample_size,
    missingSources: missingSources(deps.config, team),
  });
  return { slot, model };
}

/** The sources none of the team's services has configured, as "connect <sources>" names them. */
function missingSources(config: AppDeps["config"], team: TeamConfig): string[] {
  const services = config.services.filter((s) => team.services.includes(s.id));
  const missing: string[] = [];
  if (!services.some((s) => s.github)) missing.push("GitHub (deployments, pull requests)");
  if (!services.some((s) => s.pagerduty)) missing.push("PagerDuty (incidents)");
  if (!services.some((s) => s.prometheus)) missing.push("Prometheus (latency, errors, availability)");
  if (!services.some((s) => s.sonar)) missing.push("SonarQube (coverage, debt)");
  return missing.length > 0 ? missing : ["(all configured: run `vitals sync` or wait for the first sync)"];
}

/** `vitals digest --json`: one object per team, a team without data included. */
export function digestJson(model: DigestModel, reviewsOpen: number) {
  const mover = model.biggestMover;
  return {
    team: model.team.id,
    name: model.team.name,
    week: { from: new Date(model.fromMs).toISOString(), to: new Date(model.toMs).toISOString(), label: model.weekLabel },
    no_data: model.kpis.length === 0,
    missing_sources: model.missingSources,
    biggest_mover: mover ? { ...mover.answer, metric: mover.answer.metric, basis: mover.basis, p_value: mover.pValue, p_adjusted: mover.adjustedP, tests: mover.tests } : null,
    breaches: model.breaches.map((k) => ({ metric: k.answer.metric, status: k.answer.threshold.status, value: k.answer.value })),
    kpis: model.kpis.map((k) => ({ ...k.answer, four_week_average: k.fourWeekAverage })),
    reviews: {
      open: reviewsOpen,
      overdue: model.reviews.filter((r) => r.overdue).length,
      completion: model.reviewCompletion,
      items: model.reviews,
    },
  };
}

export async function renderDigestChart(model: DigestModel): Promise<Uint8Array> {
  return chartPng(digestChart(model));
}

export type DigestOutcome =
  | { readonly team: string; readonly result: "posted"; readonly week: string; readonly channel: string; readonly ts: string }
  | { readonly team: string; readonly result: "not_due" | "already_posted" | "no_channel" | "no_data"; readonly week: string };

/** Post one team's digest now (on demand, `vitals digest --post`), recording it for the week. */
export async function postTeamDigest(ctx: JobContext, team: TeamConfig, nowMs: number): Promise<DigestOutcome> {
  const { deps } = ctx;
  const slot = digestSlot(nowMs, teamCalendar(deps.config, team));
  if (!team.channel) return { team: team.id, result: "no_channel", week: slot.weekKey };
  if (!(await deps.store.digests.claim(team.id, slot.weekKey, nowMs))) return { team: team.id, result: "already_posted", week: slot.weekKey };
  let posted: { channel: string; ts: string };
  let digest: TeamDigest;
  try {
    digest = await buildTeamDigest(deps, ctx.engine, team, nowMs);
    if (digest.model.kpis.length === 0) {
      // "No data yet: connect <sources>" is a setup note, not a weekly digest: nothing posted, the week stays open.
      await deps.store.digests.release(team.id, slot.weekKey);
      deps.logger.warn({ team: team.id, week: slot.weekKey, missing: digest.model.missingSources }, "weekly digest skipped: no data yet for the team");
      return { team: team.id, result: "no_data", week: slot.weekKey };
    }
    const message = digestBlocks(digest.model);
    posted = await postMessage(ctx.slack, { channel: team.channel, text: message.text, blocks: message.blocks }, callOptions(ctx));
  } catch (error) {
    // Nothing was posted: give the week back so the next tick tries again.
    await deps.store.digests.release(team.id, slot.weekKey);
    throw error;
  }
  await deps.store.digests.complete(team.id, slot.weekKey, posted.channel, posted.ts);
  try {
    const png = await renderDigestChart(digest.model);
    await uploadFile(
      ctx.slack,
      {
        channel: posted.channel,
        threadTs: posted.ts,
        filename: `vitals-${team.id}-${slot.weekKey}.png`,
        title: `${team.name}: 12-week trends`,
        data: png,
        altText: `12-week trend chart of ${team.name}'s KPIs: one panel per KPI with its threshold bands, 4-week average and numbered annotations`,
      },
      callOptions(ctx),
    );
  } catch (error) {
    // The digest itself is out; a missing chart is logged, not a reason to post the digest again.
    deps.logger.error({ err: error, team: team.id, week: slot.weekKey }, "digest chart upload failed");
  }
  return { team: team.id, result: "posted", week: slot.weekKey, channel: posted.channel, ts: posted.ts };
}

/**
 * The scheduled run (on the leader only): every team whose digest is due and not yet posted this
 * week. A week claimed by a claimer that died before posting (src/domain/claims.ts) is given back
 * first, so this run posts it.
 */
export async function runDigests(ctx: JobContext, nowMs: number): Promise<DigestOutcome[]> {
  const outcomes: DigestOutcome[] = [];
  const released = await ctx.deps.store.digests.releaseAbandoned(nowMs - ABANDONED_CLAIM_MS);
  if (released > 0) ctx.deps.logger.warn({ released }, "weekly digests claimed by a replica that died before posting were given back");
  for (const team of ctx.deps.config.teams) {
    const slot = digestSlot(nowMs, teamCalendar(ctx.deps.config, team));
    const posted = (await ctx.deps.store.digests.get(team.id, slot.weekKey)) !== undefined;
    if (!isDigestDue(nowMs, slot, posted)) {
      outcomes.push({ team: team.id, result: posted ? "already_posted" : "not_due", week: slot.weekKey });
      continue;
    }
    if (!team.channel) {
      outcomes.push({ team: team.id, result: "no_channel", week: slot.weekKey });
      continue;
    }
    try {
      outcomes.push(await postTeamDigest(ctx, team, nowMs));
    } catch (error) {
      // One team's failure must not stop the others; the next tick retries it.
      ctx.deps.logger.error({ err: error, team: team.id, week: slot.weekKey }, "weekly digest failed");
    }
  }
  return outcomes;
}
