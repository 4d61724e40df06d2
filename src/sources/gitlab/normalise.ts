import type { PullRequestInfo } from "../../domain/records.js";
import { earliestCommitMs } from "../delivery-rules.js";
import { firstReviewAtMs, ms, type DeploymentEvent } from "../github/normalise.js";

// Pure decisions about GitLab objects: which deployments count and when they finished, and what a
// merge request contributes to lead time. Shapes from GitLab's REST documentation
// (doc/api/deployments.md, commits.md, merge_requests.md, notes.md); only the fields used here.

export interface GitlabDeployment {
  readonly id: number;
  readonly iid: number;
  readonly sha: string;
  readonly ref: string;
  readonly status: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly environment: { readonly name: string };
  /** The CI job that deployed; null for deployments created through the API. */
  readonly deployable: { readonly finished_at: string | null; readonly started_at: string | null; readonly web_url?: string } | null;
}

export interface GitlabCommit {
  readonly id: string;
  readonly authored_date?: string;
  readonly committed_date?: string;
  readonly created_at: string;
}

export interface GitlabMergeRequest {
  readonly iid: number;
  readonly title: string;
  readonly state: string;
  readonly created_at: string;
  readonly merged_at: string | null;
  readonly author: { readonly username: string } | null;
  readonly labels: readonly (string | { readonly name: string })[];
  readonly source_branch: string;
  readonly web_url: string;
  readonly sha?: string | null;
  readonly merge_commit_sha?: string | null;
  readonly squash_commit_sha?: string | null;
}

export interface GitlabNote {
  readonly body: string;
  readonly system: boolean;
  readonly created_at: string;
  readonly author: { readonly username: string } | null;
}

/**
 * success is a deployment; failed and canceled are failed deployments (they count toward the
 * deploy success rate, like GitHub's failure/error); created, running and blocked are not finished.
 * GitLab's deployment has no finished_at of its own: its job's finished_at, else updated_at.
 */
export function deploymentEvent(project: string, d: GitlabDeployment): DeploymentEvent {
  const status = d.status === "success" ? "success" : d.status === "failed" || d.status === "canceled" ? "failure" : "pending";
  const finished = d.deployable?.finished_at ?? d.updated_at;
  const started = d.deployable?.started_at ?? d.created_at;
  return {
    externalId: `${project}:deployment:${d.id}`,
    status,
    createdAtMs: ms(d.created_at),
    startedAtMs: ms(started),
    finishedAtMs: ms(finished),
    sha: d.sha,
    url: d.deployable?.web_url,
  };
}

/** When a commit was written (authored), as GitHub's connector reads `commit.author.date`. */
export const commitTimeMs = (c: GitlabCommit): number => ms(c.authored_date ?? c.committed_date ?? c.created_at);

/**
 * A review is the first note by someone other than the author that is a human comment or an
 * approval (GitLab writes "approved this merge request" as a system note); other system notes
 * (pushes, label changes, "mentioned in") are bookkeeping, not review.
 */
function firstMrReviewAtMs(author: string | undefined, notes: readonly GitlabNote[]): number | undefined {
  const reviews = notes
    .filter((n) => !n.system || /^approved this merge request/i.test(n.body.trim()))
    .map((n) => ({ user: n.author ? { login: n.author.username } : null, submitted_at: n.created_at, state: n.system ? "APPROVED" : "COMMENTED" }));
  return firstReviewAtMs(author, reviews);
}

export interface MrData {
  readonly info: PullRequestInfo;
  readonly earliestCommitMs: number;
}

/** A merged MR's lead-time data; its earliest commit stands for it (squash safe). */
export function mergeRequestData(mr: GitlabMergeRequest, commits: readonly GitlabCommit[], notes: readonly GitlabNote[], size?: number): MrData {
  const author = mr.author?.username;
  return {
    earliestCommitMs: earliestCommitMs(commits.map(commitTimeMs), ms(mr.created_at)),
    info: {
      number: mr.iid,
      openedAtMs: ms(mr.created_at),
      firstReviewAtMs: firstMrReviewAtMs(author, notes),
      mergedAtMs: mr.merged_at ? ms(mr.merged_at) : undefined,
      // additions + deletions of the commit it landed as (the MR itself only counts files).
      size,
      labels: mr.labels.map((l) => (typeof l === "string" ? l : l.name)),
      headBranch: mr.source_branch,
      title: mr.title,
      author,
      url: mr.web_url,
    },
  };
}
