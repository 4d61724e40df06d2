// What went wrong talking to GitLab, as one line a person can act on (the status, GitLab's own
// message, and what to change). Small and local on purpose: the shared first-contact classifier
// can fold these cases in. Never carries the token.

export class GitlabHttpError extends Error {
  constructor(
    readonly status: number,
    readonly gitlabMessage: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`GitLab answered ${status} to ${method} ${path}: ${gitlabMessage}`);
    this.name = "GitlabHttpError";
  }
}

export class GitlabUnreachableError extends Error {
  constructor(
    readonly apiUrl: string,
    readonly reason: string,
  ) {
    super(`cannot reach GitLab at ${apiUrl} (${reason}): check GITLAB_API_URL (GitLab.com: https://gitlab.com/api/v4; self-managed: https://gitlab.example.com/api/v4) and the network`);
    this.name = "GitlabUnreachableError";
  }
}

/** The token works but lacks a scope Vitals needs (seen in the token check at the start of a run). */
export class GitlabScopeError extends Error {
  constructor(readonly scopes: readonly string[]) {
    super(`GITLAB_TOKEN lacks the read_api scope (it has: ${scopes.join(", ") || "none"}): create a personal, group or project access token with read_api`);
    this.name = "GitlabScopeError";
  }
}

export const statusOf = (error: unknown): number | undefined => (error instanceof GitlabHttpError ? error.status : undefined);

/** One line for a sync note or a log: what failed for `project` and what to fix. */
export function describeGitlabError(error: unknown, project: string): string {
  if (error instanceof GitlabUnreachableError || error instanceof GitlabScopeError) return error.message;
  if (error instanceof GitlabHttpError) {
    const said = error.gitlabMessage;
    if (error.status === 401) return `GitLab refused GITLAB_TOKEN (401: ${said}): it is invalid, expired or revoked; create a token with the read_api scope`;
    if (error.status === 403) {
      return `GitLab denied access to ${project} (403: ${said}): GITLAB_TOKEN needs the read_api scope and at least Reporter access to the project`;
    }
    if (error.status === 404 && /project/i.test(said)) {
      return `GitLab project "${project}" not found (404): check services[].gitlab.project (group/subgroup/name or numeric id) and that the token's user can see it`;
    }
    if (error.status === 404) return `GitLab answered 404 for ${error.path} (${said}): check services[].gitlab.project "${project}"`;
    return `GitLab answered ${error.status} for ${error.method} ${error.path}: ${said}`;
  }
  return error instanceof Error ? (error.message.split("\n")[0] ?? "unknown error") : String(error);
}
