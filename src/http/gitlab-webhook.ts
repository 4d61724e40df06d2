import { createHash, timingSafeEqual } from "node:crypto";
import type { AppDeps } from "../app-deps.js";
import { gitlabClientCache, type GitlabClient, type GitlabClientFor, type GitlabClientOptions } from "../sources/gitlab/client.js";
import { describeGitlabError, statusOf } from "../sources/gitlab/errors.js";
import { ingestEvents, newIngestContext } from "../sources/gitlab/ingest.js";
import { deploymentEvent, type GitlabDeployment } from "../sources/gitlab/normalise.js";
import { targetsForProject, type ProjectTarget } from "../sources/gitlab/targets.js";
import type { HttpRoute, InboundRequest, RouteResponse } from "./server.js";
import { refreshShippedPr } from "./shipped-pr.js";

// POST /webhooks/gitlab: "Deployment Hook" and "Merge Request Hook" events, authenticated by the
// X-Gitlab-Token header (the webhook's secret token, compared in constant time with
// GITLAB_WEBHOOK_SECRET), deduplicated by X-Gitlab-Event-UUID, and ingested by the poller's code,
// so both write the same rows. https://docs.gitlab.com/user/project/integrations/webhooks/

/** GitLab caps webhook payloads at 25 MB by default (max_webhook_payload_size). */
const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/** The route over the process's one GitLab client (`shared`: the composition root passes the sync's; tests may pass options). */
export function gitlabWebhookRoute(deps: AppDeps, shared: GitlabClientFor | GitlabClientOptions = {}): HttpRoute {
  const clientOf = typeof shared === "function" ? shared : gitlabClientCache(shared);
  const clientFor = (): GitlabClient => clientOf(deps).api;
  return { method: "POST", path: "/webhooks/gitlab", maxBodyBytes: MAX_PAYLOAD_BYTES, handle: (request) => handleDelivery(deps, request, clientFor) };
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export function tokenMatches(given: string, secret: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(secret));
}

async function handleDelivery(deps: AppDeps, request: InboundRequest, clientFor: () => GitlabClient): Promise<RouteResponse> {
  const secret = deps.env.GITLAB_WEBHOOK_SECRET;
  const log = deps.logger.child({ route: "gitlab-webhook", requestId: request.requestId });
  if (!secret) {
    log.warn("GitLab webhook refused: GITLAB_WEBHOOK_SECRET is not set");
    return { status: 401, body: { error: "webhook secret not configured on this server (GITLAB_WEBHOOK_SECRET)" } };
  }
  const token = header(request, "x-gitlab-token");
  if (token === undefined || !tokenMatches(token, secret)) {
    log.warn({ delivery: header(request, "x-gitlab-event-uuid") }, "GitLab webhook refused: bad or missing X-Gitlab-Token");
    return { status: 401, body: { error: "invalid token" } };
  }
  const event = header(request, "x-gitlab-event");
  const delivery = header(request, "x-gitlab-event-uuid");
  if (!event || !delivery) return { status: 400, body: { error: "missing X-Gitlab-Event or X-Gitlab-Event-UUID header" } };
  if (await deps.store.github.deliverySeen("gitlab", delivery)) return { status: 200, body: { ok: true, duplicate: true } };
  let payload: Payload;
  try {
    payload = JSON.parse(request.rawBody.toString("utf8")) as Payload;
  } catch {
    return { status: 400, body: { error: "body is not JSON" } };
  }

  const outcome = await ingest(deps, event, payload, clientFor);
  if (outcome.failed) {
    // Not recorded as handled: GitLab's retry (or a manual redelivery) tries again.
    log.error({ event, delivery, problem: outcome.failed }, "GitLab webhook failed");
    return { status: 502, body: { error: outcome.failed } };
  }
  await deps.store.syncState.firstDelivery("gitlab", delivery, deps.now());
  log.info({ event, delivery, ...outcome }, "GitLab webhook handled");
  return { status: outcome.ignored ? 202 : 200, body: { ok: true, ...outcome } };
}

/** doc/user/project/integrations/webhook_events.md: "Deployment events", "Merge request events". */
interface Payload {
  object_kind?: string;
  status?: string;
  deployment_id?: number;
  environment?: string;
  project?: { id?: number; path_with_namespace?: string };
  object_attributes?: { iid: number; title: string; state: string; source_branch: string };
  labels?: { title: string }[];
}

interface Outcome {
  ignored?: string;
  written?: number;
  failed?: string;
}

async function ingest(deps: AppDeps, event: string, payload: Payload, clientFor: () => GitlabClient): Promise<Outcome> {
  const path = payload.project?.path_with_namespace;
  const targets = targetsForProject(deps.config, path, payload.project?.id);
  if (targets.length === 0) return { ignored: `no service in the config file has gitlab.project ${path ?? payload.project?.id ?? "(none)"}` };
  if (event === "Merge Request Hook") return mergeRequestChanged(deps, targets, payload);
  if (event !== "Deployment Hook") return { ignored: `${event} is not used` };
  if (!["success", "failed", "canceled"].includes(payload.status ?? "") || payload.deployment_id === undefined) {
    return { ignored: `deployment ${payload.status ?? "(no status)"}: not finished` };
  }
  const concerned = targets.filter((t) => t.environment === payload.environment);
  if (concerned.length === 0) return { ignored: `environment ${payload.environment ?? "(none)"} is not a configured production environment` };
  if (!deps.env.GITLAB_TOKEN) return { ignored: "cannot read the deployment's commits: set GITLAB_TOKEN" };

  // The hook carries a short sha and no job times: read the deployment itself.
  const ctx = newIngestContext(deps, clientFor());
  let written = 0;
  for (const target of concerned) {
    try {
      const d = (await ctx.api.Deployments.show(target.project, payload.deployment_id)) as unknown as GitlabDeployment;
      const found = deploymentEvent(target.project, d);
      if (found.status === "pending") continue;
      const totals = await ingestEvents(ctx, target, [found]);
      written += totals.inserted + totals.updated;
    } catch (error) {
      if (statusOf(error) === 404) return { ignored: `deployment ${payload.deployment_id} not found in ${target.project}` };
      return { failed: `GitLab: ${describeGitlabError(error, target.project).words}` };
    }
  }
  return { written };
}

/** MR data is read when a deployment ships the MR; one relabelled afterwards is refreshed here. */
async function mergeRequestChanged(deps: AppDeps, targets: readonly ProjectTarget[], payload: Payload): Promise<Outcome> {
  const mr = payload.object_attributes;
  if (!mr || mr.state !== "merged") return { ignored: "merge request: not merged; read when a deployment ships it" };
  const info = { labels: (payload.labels ?? []).map((l) => l.title), title: mr.title, headBranch: mr.source_branch };
  const { written, known } = await refreshShippedPr(deps, targets.map((t) => t.service), mr.iid, info);
  return known ? { written } : { ignored: "merge request: not shipped yet; read when a deployment ships it" };
}

function header(request: InboundRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
