import { createHash } from "node:crypto";
import { z } from "zod";
import { SAMPLE_NAMES } from "../../domain/metric-ids.js";
import type { SourceName, VitalsRecord } from "../../domain/records.js";

// The push record format shared by `vitals import` (NDJSON files) and the ingest API. It is a public
// interface: documented in the README, add optional fields freely, never rename one.

const timestamp = z.iso.datetime({ offset: true, message: "expected an ISO 8601 timestamp with an offset, e.g. 2026-05-04T10:12:00Z" });
const serviceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, "expected a lower-case service id (letters, digits, '-', '_', '.')");
const text = (max: number) => z.string().min(1, "must not be empty").max(max, `at most ${max} characters`);

const pullRequest = z.union([
  z.number().int().positive(),
  z
    .object({
      number: z.number().int().positive(),
      opened_at: timestamp.optional(),
      first_review_at: timestamp.optional(),
      merged_at: timestamp.optional(),
      size: z.number().int().min(0).optional(),
      labels: z.array(z.string()).optional(),
      head_branch: z.string().optional(),
      title: z.string().optional(),
      author: z.string().optional(),
      url: z.string().url().optional(),
    })
    .strict(),
]);

const change = z
  .object({
    sha: z.string().regex(/^[0-9a-f]{7,40}$/i, "expected a commit sha (7-40 hex characters)"),
    committed_at: timestamp,
    pr: pullRequest.nullable().optional(),
  })
  .strict();

const deployment = z
  .object({
    kind: z.literal("deployment"),
    id: text(200),
    service: serviceId,
    environment: text(100).default("production"),
    status: z.enum(["success", "failure"], { message: 'expected "success" or "failure"' }),
    finished_at: timestamp,
    started_at: timestamp.optional(),
    sha: z.string().regex(/^[0-9a-f]{7,40}$/i, "expected a commit sha (7-40 hex characters)").nullable().optional(),
    changes: z.array(change).max(10_000).optional(),
    rollback_of: text(200).nullable().optional(),
    hotfix: z.boolean().optional(),
    url: z.string().url().optional(),
  })
  .strict();

const incident = z
  .object({
    kind: z.literal("incident"),
    id: text(200),
    service: serviceId,
    title: text(1000),
    severity: text(50).optional(),
    urgency: z.enum(["high", "low"]).optional(),
    priority: text(50).optional(),
    created_at: timestamp,
    acknowledged_at: timestamp.nullable().optional(),
    resolved_at: timestamp.nullable().optional(),
    deployment_id: text(200).nullable().optional(),
    change_caused: z.boolean({ message: "expected true or false (false: no deployment caused this incident)" }).optional(),
    owner: z.string().optional(),
    owner_email: z.email().optional(),
    url: z.string().url().optional(),
  })
  .strict();

const metric = z
  .object({
    kind: z.literal("metric"),
    name: z.enum(SAMPLE_NAMES, { message: `expected one of ${SAMPLE_NAMES.join(", ")}` }),
    service: serviceId.optional(),
    at: timestamp,
    until: timestamp.optional(),
    value: z.number().finite(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const percent = m.name.endsWith("_pct");
    if (percent && (m.value < 0 || m.value > 100)) ctx.addIssue({ code: "custom", path: ["value"], message: "expected a percentage from 0 to 100" });
    if (!percent && m.value < 0) ctx.addIssue({ code: "custom", path: ["value"], message: "expected a value of 0 or more" });
    if (m.until && Date.parse(m.until) <= Date.parse(m.at)) ctx.addIssue({ code: "custom", path: ["until"], message: "must be after at" });
  });

const annotation = z
  .object({
    kind: z.literal("annotation"),
    id: text(200).optional(),
    at: timestamp,
    text: text(2000),
    service: serviceId.optional(),
    team: serviceId.optional(),
    author: z.string().optional(),
  })
  .strict();

export const recordSchema = z.discriminatedUnion("kind", [deployment, incident, metric, annotation], {
  error: () => 'expected "kind" to be one of deployment, incident, metric, annotation',
});

export type RecordInput = z.infer<typeof recordSchema>;

const ms = (iso: string): number => Date.parse(iso);
const optionalMs = (iso: string | null | undefined): number | undefined => (iso ? Date.parse(iso) : undefined);

/** Validated input → the store's normalised record. */
export function toRecord(input: RecordInput, source: SourceName): VitalsRecord {
  switch (input.kind) {
    case "deployment":
      return {
        kind: "deployment",
        source,
        externalId: input.id,
        service: input.service,
        environment: input.environment,
        status: input.status,
        finishedAtMs: ms(input.finished_at),
        startedAtMs: optionalMs(input.started_at),
        sha: input.sha?.toLowerCase() ?? undefined,
        rollbackOf: input.rollback_of ?? undefined,
        hotfix: input.hotfix,
        url: input.url,
        changes: input.changes?.map((c) => ({
          sha: c.sha.toLowerCase(),
          committedAtMs: ms(c.committed_at),
          pr:
            c.pr == null
              ? undefined
              : typeof c.pr === "number"
                ? { number: c.pr }
                : {
                    number: c.pr.number,
                    openedAtMs: optionalMs(c.pr.opened_at),
                    firstReviewAtMs: optionalMs(c.pr.first_review_at),
                    mergedAtMs: optionalMs(c.pr.merged_at),
                    size: c.pr.size,
                    labels: c.pr.labels,
                    headBranch: c.pr.head_branch,
                    title: c.pr.title,
                    author: c.pr.author,
                    url: c.pr.url,
                  },
        })),
      };
    case "incident":
      return {
        kind: "incident",
        source,
        externalId: input.id,
        service: input.service,
        title: input.title,
        severity: input.severity,
        urgency: input.urgency,
        priority: input.priority,
        createdAtMs: ms(input.created_at),
        acknowledgedAtMs: optionalMs(input.acknowledged_at),
        resolvedAtMs: optionalMs(input.resolved_at),
        deploymentRef: input.deployment_id ?? undefined,
        changeCaused: input.change_caused,
        ownerName: input.owner,
        ownerEmail: input.owner_email,
        url: input.url,
      };
    case "metric":
      return {
        kind: "metric",
        source,
        service: input.service,
        name: input.name,
        atMs: ms(input.at),
        untilMs: optionalMs(input.until),
        value: input.value,
      };
    case "annotation":
      return {
        kind: "annotation",
        source,
        // Without an id, the annotation's content is its identity, so re-importing it changes nothing.
        externalId: input.id ?? createHash("sha256").update(`${input.at}\n${input.service ?? ""}\n${input.team ?? ""}\n${input.text}`).digest("hex").slice(0, 24),
        atMs: ms(input.at),
        text: input.text,
        service: input.service,
        team: input.team,
        author: input.author,
      };
  }
}

/** Check cross-field rules zod cannot express per field. */
export function recordProblems(input: RecordInput): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (input.kind === "incident") {
    const created = Date.parse(input.created_at);
    if (input.acknowledged_at && Date.parse(input.acknowledged_at) < created) {
      problems.push({ field: "acknowledged_at", message: "must not be before created_at" });
    }
    if (input.resolved_at && Date.parse(input.resolved_at) < created) {
      problems.push({ field: "resolved_at", message: "must not be before created_at" });
    }
  }
  if (input.kind === "deployment" && input.started_at && Date.parse(input.started_at) > Date.parse(input.finished_at)) {
    problems.push({ field: "started_at", message: "must not be after finished_at" });
  }
  return problems;
}
