import type { FileConfig } from "../../config/file.js";

/** One configured service's GitHub repository and what counts as its deployments. */
export interface RepoTarget {
  readonly service: string;
  /** owner/name as configured. */
  readonly repo: string;
  readonly owner: string;
  readonly name: string;
  readonly source: "deployments" | "workflow" | "releases";
  readonly environment: RegExp;
  readonly workflow?: string | undefined;
}

export function repoTargets(config: FileConfig): RepoTarget[] {
  return config.services.flatMap((service) => {
    const github = service.github;
    if (!github) return [];
    const [owner, name] = github.repo.split("/") as [string, string];
    return [{ service: service.id, repo: github.repo, owner, name, source: github.source, environment: new RegExp(github.environment), workflow: github.workflow }];
  });
}

/**
 * The sync_cursors key: one cursor per repo and deployment source, and per service, since a monorepo
 * may hold several services told apart by their environments or workflows.
 */
export const cursorKey = (target: RepoTarget): string => `${target.repo}:${target.source}:${target.service}`;

/** Targets a webhook for `fullName` (owner/name, any case) concerns. */
export function targetsForRepo(config: FileConfig, fullName: string): RepoTarget[] {
  return repoTargets(config).filter((t) => t.repo.toLowerCase() === fullName.toLowerCase());
}
