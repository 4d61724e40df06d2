import { verify } from "@octokit/webhooks-methods";
import type { AppDeps } from "../app-deps.js";
import { githubAuthFromEnv, githubClientCache, type GithubClient, type GithubClientFor, type GithubClientOptions } from "../sources/github/client.js";
import { ingestEvents, type IngestContext } from "../sources/github/ingest.js";
import { deploymentEvent, isDeployWorkflow, releaseEvent, workflowRunEvent, type DeploymentEvent } from "../sources/github/normalise.js";
import { targetsForRepo, type RepoTarget } from "../sources/github/targets.js";
import type { HttpRoute, InboundRequest, RouteResponse } from "./server.js";
import { refreshShippedPr } from "./shipped-pr.js";

// POST /webhooks/github: deployment_status, workflow_run, release and pull_request events, verified
// with X-Hub-Signature-256 over the raw body (GITHUB_WEBHOOK_SECRET), deduplicated by
// X-GitHub-Delivery, and ingested by the same code as the poller, so both write the same rows.
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries

/** GitHub caps webhook payloads at 25 MB. */
const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/**
 * The route over the process's one GitHub client (`shared`: the composition root passes the sync's,
 * so an App's installation token is exchanged once for both; tests may pass options instead).
 */
export function githubWebhookRoute(deps: AppDeps, shared: GithubClientFor | GithubClientOptions = {}): HttpRoute {
  const clientOf = typeof shared === "function" ? shared : githubClientCache(shared);
  const clientFor = (): GithubClient => clientOf(deps).octokit;
  return {
    method: "POST",
    path: "/webhooks/github",
    maxBodyBytes: MAX_PAYLOAD_BYTES,
    handle: (request) => handleDelivery(deps, request, clientFor),
  };
}

async function handleDelivery(deps: AppDeps, request: InboundRequest, clientFor: () => GithubClient): Promise<RouteResponse> {
  const secret = deps.env.GITHUB_WEBHOOK_SECRET;
  const log = deps.logger.child({ route: "github-webhook", requestId: request.requestId });
  if (!secret) {
    log.warn("GitHub webhook refused: GITHUB_WEBHOOK_SECRET is not set");
    return { status: 401, body: { error: "webhook secret not configured on this server (GITHUB_WEBHOOK_SECRET)" } };
  }
  const signature = header(request, "x-hub-signature-256");
  if (!signature || !(await verify(secret, request.rawBody.toString("utf8"), signature).catch(() => false))) {
    log.warn({ delivery: header(request, "x-github-delivery") }, "GitHub webhook refused: bad or missing X-Hub-Signature-256");
    return { status: 401, body: { error: "invalid signature" } };
  }
  const event = header(request, "x-github-event");
  const delivery = header(request, "x-github-delivery");
  if (!event || !delivery) return { status: 400, body: { error: "missing X-GitHub-Event or X-GitHub-Delivery header" } };
  if (await deps.store.github.deliverySeen("github", delivery)) return { status: 200, body: { ok: true, duplicate: true } };
  let payload: Payload;
  try {
    payload = JSON.parse(request.rawBody.toString("utf8")) as Payload;
  } catch {
    return { status: 400, body: { error: "body is not JSON" } };
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return { status: 400, body: { error: "body is not a JSON object" } };

  const outcome = await ingest(deps, event, payload, clientFor);
  // Recorded only once handled: a delivery that failed (500) is processed again when GitHub redelivers it.
  await deps.store.syncState.firstDelivery("github", delivery, deps.now());
  log.info({ event, action: payload.action, delivery, ...outcome }, "GitHub webhook handled");
  return { status: outcome.ignored ? 202 : 200, body: { ok: true, ...outcome } };
}

interface Payload {
  action?: string;
  repository?: { full_name: string; default_branch?: string };
  deployment?: Parameters<typeof deploymentEvent>[1];
  deployment_status?: { state: string; created_at: string };
  workflow_run?: Parameters<typeof workflowRunEvent>[1];
  release?: Parameters<typeof releaseEvent>[1];
  pull_request?: { number: number; title: string; merged_at: string | null; labels: { name: string }[]; head: { ref: string } };
}

interface Outcome {
  ignored?: string;
  written?: number;
}

async function ingest(deps: AppDeps, event: string, payload: Payload, clientFor: () => GithubClient): Promise<Outcome> {
  if (event === "ping") return { ignored: "ping" };
  const repo = payload.repository?.full_name;
  if (!repo) return { ignored: `${event} without a repository` };
  const targets = targetsForRepo(deps.config, repo);
  if (targets.length === 0) return { ignored: `no service in the config file has github.repo ${repo}` };
  if (event === "pull_request") return pullRequestChanged(deps, targets, payload);
  const auth = githubAuthFromEnv(deps.env);
  if (auth.kind === "none") return { ignored: `cannot read the deployment's commits: ${auth.reason}` };

  const ctx: IngestContext = { deps, octokit: clientFor(), prs: new Map(), notes: [] };
  let written = 0;
  let matched = false;
  for (const target of targets) {
    const found = await eventFor(ctx, target, event, payload);
    if (!found) continue;
    matched = true;
    const totals = await ingestEvents(ctx, target, [found]);
    written += totals.inserted + totals.updated;
  }
  if (!matched) return { ignored: `${event}.${payload.action ?? ""} is not a finished production deployment of a configured source` };
  return { written };
}

/**
 * Pull request data is read when a deployment ships the PR. A PR relabelled afterwards (say,
 * `hotfix` added during the incident review) updates the stored change and its deployment's flag.
 */
async function pullRequestChanged(deps: AppDeps, targets: readonly RepoTarget[], payload: Payload): Promise<Outcome> {
  const pr = payload.pull_request;
  if (!pr?.merged_at) return { ignored: "pull_request: not merged; read when a deployment ships it" };
  const info = { labels: pr.labels.map((l) => l.name), title: pr.title, headBranch: pr.head.ref };
  const { written, known } = await refreshShippedPr(deps, targets.map((t) => t.service), pr.number, info);
  return known ? { written } : { ignored: "pull_request: not shipped yet; read when a deployment ships it" };
}

async function eventFor(ctx: IngestContext, target: RepoTarget, event: string, payload: Payload): Promise<DeploymentEvent | null> {
  if (event === "deployment_status" && target.source === "deployments" && payload.deployment && payload.deployment_status) {
    if (!target.environment.test(payload.deployment.environment)) return null;
    const found = deploymentEvent(target.repo, payload.deployment, [payload.deployment_status]);
    return found.status === "pending" ? null : found;
  }
  if (event === "workflow_run" && target.source === "workflow" && payload.action === "completed" && payload.workflow_run) {
    if (!target.workflow || !isDeployWorkflow(payload.workflow_run, target.workflow)) return null;
    const found = workflowRunEvent(target.repo, payload.workflow_run, payload.repository?.default_branch ?? "");
    return found && found.status !== "pending" ? found : null;
  }
  if (event === "release" && target.source === "releases" && payload.action === "published" && payload.release) {
    if (!releaseEvent(target.repo, payload.release, "")) return null;
    const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { owner: target.owner, repo: target.name, ref: payload.release.tag_name });
    return releaseEvent(target.repo, payload.release, data.sha);
  }
  return null;
}

function header(request: InboundRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
