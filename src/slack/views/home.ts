import type { webApi } from "@slack/bolt";
import { METRIC_IDS } from "../../domain/metric-ids.js";
import type { Scope } from "../../domain/scope.js";
import type { KpiAnswer } from "../../domain/answer.js";
import { zoneOf } from "../../query/parse.js";
import { defaultWindow } from "../../query/windows.js";
import { homeView } from "../../present/blocks/home.js";
import { queryContext, type SlackRuntime } from "../runtime.js";

// The App Home dashboard for one user: the team they picked (the org until they pick one), every
// KPI over the last 30 days, and the open post-incident reviews. https://docs.slack.dev/reference/methods/views.publish

const HOME_REFRESH_LIMIT = 200;

export async function buildHome(runtime: SlackRuntime, userId: string) {
  const { deps } = runtime;
  const ctx = queryContext(deps);
  const picked = (await deps.store.slack.homeTeam(userId)) ?? null;
  const team = picked ? ctx.config.teams.find((t) => t.id === picked) ?? null : null;
  const scope: Scope = team ? { kind: "team", id: team.id } : { kind: "org", id: null };
  const { window, label } = defaultWindow(ctx.nowMs);
  const answers: KpiAnswer[] = [];
  for (const metric of METRIC_IDS) {
    const result = await runtime.engine.answerQuestion(ctx, { kind: "metric", request: { metric, scope, window, windowLabel: label } });
    if (result.kind === "answer") answers.push(result.answer);
  }
  const reviews = (await deps.store.reviews.listOpen(team?.id)).map((r) => ({
    title: r.title,
    service: r.service_id,
    dueAtIso: new Date(r.due_at).toISOString(),
    overdue: r.due_at < ctx.nowMs,
    url: r.url,
  }));
  return homeView({
    teams: ctx.config.teams.map((t) => ({ id: t.id, name: t.name })),
    team: team ? { id: team.id, name: team.name } : null,
    // Metrics without any data would only say N/A: the dashboard shows what is connected.
    answers: answers.filter((a) => a.sample_size > 0 || a.value !== null),
    reviews,
    zone: zoneOf(scope, ctx.config),
    windowLabel: label,
    updatedAtIso: new Date(ctx.nowMs).toISOString().slice(0, 16).replace("T", " ") + " UTC",
  });
}

export async function publishHome(client: webApi.WebClient, runtime: SlackRuntime, userId: string): Promise<void> {
  const view = await runtime.compute(() => buildHome(runtime, userId));
  await client.views.publish({ user_id: userId, view: view as unknown as webApi.ViewsPublishArguments["view"] });
}

/** After a sync: republish the Home of everyone who opened it in the last week. */
export async function refreshHomes(client: webApi.WebClient, runtime: SlackRuntime): Promise<number> {
  const since = runtime.deps.now() - 7 * 86_400_000;
  let refreshed = 0;
  for (const viewer of await runtime.deps.store.slack.recentHomeViewers(since, HOME_REFRESH_LIMIT)) {
    try {
      await publishHome(client, runtime, viewer.userId);
      refreshed++;
    } catch (error) {
      runtime.deps.logger.warn({ err: error, userId: viewer.userId }, "App Home refresh failed");
    }
  }
  return refreshed;
}
