import type { FileConfig } from "../../config/file.js";

/** One configured service's GitLab project and its production environment. */
export interface ProjectTarget {
  readonly service: string;
  /** group/subgroup/name or a numeric id, as configured. */
  readonly project: string;
  /** The GitLab environment name whose deployments count (exact, as GitLab's `environment` filter). */
  readonly environment: string;
}

export function projectTargets(config: FileConfig): ProjectTarget[] {
  return config.services.flatMap((service) =>
    service.gitlab ? [{ service: service.id, project: service.gitlab.project, environment: service.gitlab.environment ?? config.production_environment }] : [],
  );
}

/** The sync_cursors key: one cursor per project, environment and service (a monorepo may hold several). */
export const cursorKey = (target: ProjectTarget): string => `${target.project}:${target.environment}:${target.service}`;

/** Targets a webhook for a project (path with namespace, any case, or its numeric id) concerns. */
export function targetsForProject(config: FileConfig, path: string | undefined, id: number | undefined): ProjectTarget[] {
  return projectTargets(config).filter(
    (t) => (path !== undefined && t.project.toLowerCase() === path.toLowerCase()) || (id !== undefined && t.project === String(id)),
  );
}
