import { httpCause, networkCause, type FailureCause } from "../errors.js";

// GitLab's side of the shared failure words (src/sources/errors.ts): the errors its client throws,
// and what a failing request means for a project, with the hints only GitLab needs (a project path
// that names nothing, a token without read_api, a token GitLab refuses). Never carries the token.

export class GitlabHttpError extends Error {
  constructor(
    readonly status: number,
    readonly gitlabMessage: string,
    readonly method: string,
    readonly path: string,
    /** When GitLab said the rate limit lifts (epoch ms), for a 429 that outlasted the waits. */
    readonly resetAtMs?: number,
  ) {
    super(`GitLab answered ${status} to ${method} ${path}: ${gitlabMessage}`);
    this.name = "GitlabHttpError";
  }
}

/** GitLab did not answer; `cause` holds fetch's error, whose code src/sources/errors.ts reads. */
export class GitlabUnreachableError extends Error {
  constructor(
    readonly apiUrl: string,
    cause: unknown,
  ) {
    super(`cannot reach GitLab at ${apiUrl} (${networkCause(cause)?.words ?? innermostMessage(cause)}): check GITLAB_API_URL`, { cause });
    this.name = "GitlabUnreachableError";
  }
}

/** fetch says only "fetch failed"; the error it wraps says why ("bad port", "invalid URL"). */
function innermostMessage(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 8 && current instanceof Error && current.cause instanceof Error; depth++) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/** The token works but lacks a scope Vitals needs (seen in the token check at the start of a run). */
export class GitlabScopeError extends Error {
  constructor(readonly scopes: readonly string[]) {
    super(`GITLAB_TOKEN lacks the read_api scope (it has: ${scopes.join(", ") || "none"}): create a personal, group or project access token with read_api`);
    this.name = "GitlabScopeError";
  }
}

export const statusOf = (error: unknown): number | undefined => (error instanceof GitlabHttpError ? error.status : undefined);

const CREDENTIALS = "GITLAB_TOKEN";

/** What failed for `project`, in the shared words, and what to fix; a network failure is never a status. */
export function describeGitlabError(error: unknown, project: string): FailureCause {
  const network = networkCause(error);
  if (network) return network;
  if (error instanceof GitlabScopeError) return { kind: "forbidden", words: error.message };
  if (!(error instanceof GitlabHttpError)) return { kind: "http", words: error instanceof Error ? (error.message.split("\n")[0] ?? "unknown error") : String(error) };
  const { status, gitlabMessage: message } = error;
  const request = `${error.method} ${error.path}`;
  if (status === 401) {
    const cause = httpCause(status, { credentials: CREDENTIALS });
    return { ...cause, words: `${cause.words}: it is invalid, expired or revoked; create a token with the read_api scope` };
  }
  if (status === 403) return httpCause(status, { missingPermission: `the read_api scope and at least Reporter access to ${project}`, message });
  if (status === 404 && /project/i.test(message)) {
    const cause = httpCause(status, { notFound: `project "${project}"` });
    return { ...cause, words: `${cause.words}; check services[].gitlab.project (group/subgroup/name or numeric id)` };
  }
  if (status === 404) {
    const cause = httpCause(status, { message });
    return { ...cause, words: `${cause.words} (${request}; services[].gitlab.project "${project}")` };
  }
  const cause = httpCause(status, { message, ...(error.resetAtMs !== undefined ? { resetAtMs: error.resetAtMs } : {}) });
  return cause.kind === "rate_limited" ? cause : { ...cause, words: `${cause.words} (${request})` };
}
