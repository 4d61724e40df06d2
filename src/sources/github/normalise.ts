import type { PullRequestInfo } from "../../domain/records.js";

// Pure decisions about GitHub objects: what counts as a finished deployment, which pull request a
// commit belongs to, and the hotfix/rollback rules. No I/O here, so each rule is tested by value.

/** A deployment seen on GitHub, before its changes are looked up. */
export interface DeploymentEvent {
  readonly externalId: string;
  /** pending: not finished yet (queued, in progress, or a status we do not count). */
  readonly status: "success" | "failure" | "pending";
  /** When GitHub created it: the order lists are paged in and the sync cursor. */
  readonly createdAtMs: number;
  readonly finishedAtMs: number;
  readonly startedAtMs?: number | undefined;
  readonly sha: string;
  readonly url?: string | undefined;
}

export const ms = (iso: string): number => Date.parse(iso);

interface StatusLike {
  readonly state: string;
  readonly created_at: string;
}

/**
 * Deployments API: the outcome is the latest of success/failure/error. `inactive` (superseded by a
 * later deployment) and `active` after a success keep the success and its time; anything else
 * (queued, pending, in_progress, or inactive with no success) is not finished.
 */
export function deploymentOutcome(statuses: readonly StatusLike[]): { status: "success" | "failure" | "pending"; atMs?: number } {
  const chronological = [...statuses].sort((a, b) => ms(a.created_at) - ms(b.created_at));
  let outcome: { status: "success" | "failure" | "pending"; atMs?: number } = { status: "pending" };
  for (const s of chronological) {
    if (s.state === "success") outcome = { status: "success", atMs: ms(s.created_at) };
    else if (s.state === "failure" || s.state === "error") outcome = { status: "failure", atMs: ms(s.created_at) };
  }
  return outcome;
}

export interface DeploymentLike {
  readonly id: number | bigint;
  readonly sha: string;
  readonly environment: string;
  readonly created_at: string;
  readonly url: string;
}

export function deploymentEvent(repo: string, d: DeploymentLike, statuses: readonly StatusLike[]): DeploymentEvent {
  const outcome = deploymentOutcome(statuses);
  return {
    externalId: `${repo}:deployment:${d.id}`,
    status: outcome.status,
    createdAtMs: ms(d.created_at),
    startedAtMs: ms(d.created_at),
    finishedAtMs: outcome.atMs ?? ms(d.created_at),
    sha: d.sha,
    url: `https://github.com/${repo}/deployments`,
  };
}

interface RunLike {
  readonly id: number;
  readonly name?: string | null;
  readonly path?: string;
  readonly head_branch: string | null;
  readonly head_sha: string;
  readonly event: string;
  readonly status: string | null;
  readonly conclusion: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly run_started_at?: string;
  readonly html_url: string;
}

/** Does this run belong to the configured deploy workflow (by name, or by file, e.g. deploy.yml)? */
export function isDeployWorkflow(run: Pick<RunLike, "name" | "path">, workflow: string): boolean {
  if (run.name === workflow) return true;
  const path = run.path ?? "";
  // `path` is ".github/workflows/deploy.yml" (sometimes with "@ref" appended for reusable workflows).
  const file = path.split("@")[0]!.split("/").pop();
  return file === workflow || path === workflow;
}

/**
 * Actions: a completed run of the deploy workflow on the default branch, from a push, a manual
 * dispatch or a schedule (never a pull request). success → success, failure/timed_out → failure;
 * cancelled and skipped runs are not deployments (null). Not yet completed → pending.
 */
export function workflowRunEvent(repo: string, run: RunLike, defaultBranch: string): DeploymentEvent | null {
  if (run.head_branch !== defaultBranch || run.event === "pull_request" || run.event === "pull_request_target") return null;
  const base = {
    externalId: `${repo}:run:${run.id}`,
    createdAtMs: ms(run.created_at),
    startedAtMs: ms(run.run_started_at ?? run.created_at),
    finishedAtMs: ms(run.updated_at),
    sha: run.head_sha,
    url: run.html_url,
  };
  if (run.status !== "completed") return { ...base, status: "pending" };
  if (run.conclusion === "success") return { ...base, status: "success" };
  if (run.conclusion === "failure" || run.conclusion === "timed_out") return { ...base, status: "failure" };
  return null;
}

interface ReleaseLike {
  readonly id: number;
  readonly tag_name: string;
  readonly draft: boolean;
  readonly prerelease: boolean;
  readonly created_at: string;
  readonly published_at: string | null;
  readonly html_url: string;
}

/** Releases: a published release that is neither a draft nor a pre-release is a successful deployment. */
export function releaseEvent(repo: string, release: ReleaseLike, sha: string): DeploymentEvent | null {
  if (release.draft || release.prerelease || !release.published_at) return null;
  return {
    externalId: `${repo}:release:${release.id}`,
    status: "success",
    createdAtMs: ms(release.created_at),
    finishedAtMs: ms(release.published_at),
    sha,
    url: release.html_url,
  };
}

/**
 * The PR a commit on the default branch came from, read from the message GitHub writes: squash
 * merges end the title with "(#123)", merge commits start "Merge pull request #123 from …".
 * Rebase merges carry no number: the caller asks GitHub (commits/{sha}/pulls) for those.
 */
export function prNumberFromMessage(message: string): number | undefined {
  const firstLine = message.split("\n")[0] ?? "";
  const merge = /^Merge pull request #(\d+) /.exec(firstLine);
  if (merge) return Number(merge[1]);
  const squash = /\(#(\d+)\)\s*$/.exec(firstLine);
  return squash ? Number(squash[1]) : undefined;
}

interface ReviewLike {
  readonly user: { readonly login: string } | null;
  readonly submitted_at?: string | null;
  readonly state: string;
}

/** First review by someone other than the author (pending drafts have no submitted_at and don't count). */
export function firstReviewAtMs(author: string | undefined, reviews: readonly ReviewLike[]): number | undefined {
  let first: number | undefined;
  for (const r of reviews) {
    if (!r.submitted_at || r.state === "PENDING" || !r.user || r.user.login === author) continue;
    const at = ms(r.submitted_at);
    if (first === undefined || at < first) first = at;
  }
  return first;
}

/**
 * Hotfix rule: a deployment is a hotfix when any pull request it shipped has the label `hotfix` or
 * `incident` (case-insensitive) or comes from a branch named `hotfix/…`.
 */
export function isHotfixPr(pr: Pick<PullRequestInfo, "labels" | "headBranch">): boolean {
  const labels = (pr.labels ?? []).map((l) => l.toLowerCase());
  return labels.includes("hotfix") || labels.includes("incident") || (pr.headBranch ?? "").toLowerCase().startsWith("hotfix/");
}

/** A revert PR as GitHub's "Revert" button makes it: title `Revert "…"`, branch `revert-<n>-…`. */
export function isRevertPr(pr: Pick<PullRequestInfo, "title" | "headBranch">): boolean {
  return (pr.title ?? "").startsWith('Revert "') || /^revert-\d+-/.test(pr.headBranch ?? "");
}

/** The `rel="next"` URL of a Link header, if any. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}
