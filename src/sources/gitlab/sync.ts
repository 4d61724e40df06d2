import { ms } from "../github/normalise.js";
import { ingestEvents, type GitlabIngestContext, type IngestTotals } from "./ingest.js";
import { deploymentEvent, type GitlabDeployment } from "./normalise.js";
import { cursorKey, type ProjectTarget } from "./targets.js";

// Incremental listing of one project's production deployments: the Deployments API filtered by
// environment and `updated_after` the cursor, oldest update first (gitbeaker follows the Link /
// x-next-page headers). A deployment changes its updated_at when its status does, so one still
// running when listed comes back once it finishes; with nothing new the run costs this one request.
// https://docs.gitlab.com/api/deployments/#list-project-deployments

/** Stored in sync_cursors.cursor as JSON. */
interface GitlabCursor {
  /** Every deployment updated at or before this was listed (and stored, if finished). */
  readonly updatedThroughMs: number;
}

export async function syncTarget(ctx: GitlabIngestContext, target: ProjectTarget, backfillDays: number | undefined): Promise<IngestTotals> {
  const { deps } = ctx;
  const key = cursorKey(target);
  const stored = await deps.store.syncState.cursor("gitlab", key);
  const previous = stored?.cursor && backfillDays === undefined ? (JSON.parse(stored.cursor) as GitlabCursor) : undefined;
  const nowMs = deps.now();
  const sinceMs = previous?.updatedThroughMs ?? nowMs - (backfillDays ?? deps.config.gitlab.backfill_days) * 86_400_000;

  const listed = (await ctx.api.Deployments.all(target.project, {
    environment: target.environment,
    updatedAfter: new Date(sinceMs).toISOString(),
    orderBy: "updated_at",
    sort: "asc",
    perPage: 100,
  })) as unknown as GitlabDeployment[];
  // The filter is exact on GitLab's side; checked again so a server ignoring it cannot mix in staging.
  const deployments = listed.filter((d) => d.environment.name === target.environment);
  const totals = await ingestEvents(ctx, target, deployments.map((d) => deploymentEvent(target.project, d)));

  // Written only after every listed deployment is stored: an interrupted run lists them again, and
  // the stored ones cost nothing. Nothing new: the row is left alone (a re-run writes nothing).
  const through = Math.max(sinceMs, ...listed.map((d) => ms(d.updated_at)));
  const cursor = JSON.stringify({ updatedThroughMs: through } satisfies GitlabCursor);
  if (stored?.cursor !== cursor || stored.last_error !== null) await deps.store.syncState.saveCursor("gitlab", key, cursor, null, nowMs);
  return totals;
}
