import type { SampleName } from "./metric-ids.js";

// Normalised records: what every source (import file, ingest API, GitHub, PagerDuty, Prometheus,
// SonarQube, coverage and cost files) produces and what the store upserts. Times are UTC epoch ms.
// `source` + `externalId` identify a record, so writing the same record twice changes nothing.

export type SourceName = "import" | "api" | "github" | "gitlab" | "pagerduty" | "prometheus" | "sonar" | "coverage" | "cost" | "slack" | "demo";

export interface ChangeRecord {
  /** The commit sha shipped (for a PR, any of its commits; the squash or merge commit is fine). */
  readonly sha: string;
  /** Commit time; for a PR, the PR's earliest commit (which survives squash merges). */
  readonly committedAtMs: number;
  readonly pr?: PullRequestInfo | undefined;
}

export interface PullRequestInfo {
  readonly number: number;
  readonly openedAtMs?: number | undefined;
  /** First review by someone other than the author. */
  readonly firstReviewAtMs?: number | undefined;
  readonly mergedAtMs?: number | undefined;
  /** additions + deletions */
  readonly size?: number | undefined;
  readonly labels?: readonly string[] | undefined;
  readonly headBranch?: string | undefined;
  readonly title?: string | undefined;
  readonly author?: string | undefined;
  readonly url?: string | undefined;
}

export interface DeploymentRecord {
  readonly source: SourceName;
  readonly externalId: string;
  readonly service: string;
  readonly environment: string;
  readonly status: "success" | "failure";
  readonly finishedAtMs: number;
  readonly startedAtMs?: number | undefined;
  readonly sha?: string | undefined;
  /** externalId of the deployment (same service) that this one rolls back. */
  readonly rollbackOf?: string | undefined;
  readonly hotfix?: boolean | undefined;
  readonly url?: string | undefined;
  /** The changes this deployment shipped (the store decides which ship for the first time). */
  readonly changes?: readonly ChangeRecord[] | undefined;
}

export interface IncidentRecord {
  readonly source: SourceName;
  readonly externalId: string;
  /** Vitals service id; undefined when the source's service is not mapped (see externalService). */
  readonly service?: string | undefined;
  /** The source's own service reference, kept for "incidents on unmapped services" in explain. */
  readonly externalService?: string | undefined;
  readonly title: string;
  readonly severity?: string | undefined;
  readonly urgency?: "high" | "low" | undefined;
  readonly priority?: string | undefined;
  readonly status?: "triggered" | "acknowledged" | "resolved" | undefined;
  readonly createdAtMs: number;
  readonly acknowledgedAtMs?: number | undefined;
  /** Last resolution; undefined while open. */
  readonly resolvedAtMs?: number | undefined;
  readonly ownerName?: string | undefined;
  readonly ownerEmail?: string | undefined;
  readonly escalationPolicy?: string | undefined;
  readonly url?: string | undefined;
  /** An explicit reference to the deployment that caused it: a deployment id or a commit sha. */
  readonly deploymentRef?: string | undefined;
  /** false: the source says no deployment caused it (it never marks a deployment failed, still counts for MTTR). */
  readonly changeCaused?: boolean | undefined;
}

export interface SampleRecord {
  readonly source: SourceName;
  /** Vitals service id, or undefined for an organisation-wide sample (e.g. untagged cost). */
  readonly service?: string | undefined;
  readonly name: SampleName;
  readonly atMs: number;
  /** End of the period the sample covers, when it covers one (cost exports, daily rollups). */
  readonly untilMs?: number | undefined;
  readonly value: number;
}

export interface AnnotationRecord {
  readonly source: SourceName;
  readonly externalId: string;
  readonly atMs: number;
  readonly text: string;
  readonly service?: string | undefined;
  readonly team?: string | undefined;
  readonly author?: string | undefined;
}

export type VitalsRecord =
  | ({ readonly kind: "deployment" } & DeploymentRecord)
  | ({ readonly kind: "incident" } & IncidentRecord)
  | ({ readonly kind: "metric" } & SampleRecord)
  | ({ readonly kind: "annotation" } & AnnotationRecord);
