import { existsSync, readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { METRIC_IDS } from "../domain/metric-ids.js";
import { ConfigError } from "./errors.js";

// The YAML file (`VITALS_CONFIG`, default ./vitals.yml): teams, services, thresholds and per-source
// settings. Its shape is a public interface: add fields freely, never rename or remove one.

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, "expected a lower-case id (letters, digits, '-', '_', '.')");

const timeZone = z.string().refine(isValidTimeZone, { message: "expected an IANA time zone such as Europe/Berlin" });

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected a time of day as HH:MM");

const weekday = z.enum(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]);

const regex = z.string().refine(isValidRegex, { message: "expected a valid regular expression" });

const githubServiceSchema = z
  .object({
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "expected owner/name"),
    /** What counts as a deployment in this repository. */
    source: z.enum(["deployments", "workflow", "releases"]).default("deployments"),
    /** Deployments API: environments that count as production. */
    environment: regex.default("^(prod|production)$"),
    /** Actions: workflow name or file that deploys, e.g. deploy.yml. */
    workflow: z.string().optional(),
  })
  .strict()
  .refine((g) => g.source !== "workflow" || g.workflow, {
    message: 'required when source is "workflow": the workflow file (e.g. deploy.yml) or name',
    path: ["workflow"],
  });

const gitlabServiceSchema = z
  .object({
    /** Path with namespace (group/subgroup/name) or the numeric project id. */
    project: z.union([
      z.string().regex(/^(\d+|[\w.-]+(\/[\w.-]+)+)$/, "expected group/name (subgroups allowed) or a numeric project id"),
      z.number().int().positive().transform(String),
    ]),
    /** The GitLab environment that counts as production; default: production_environment. */
    environment: z.string().min(1).optional(),
  })
  .strict();

const pagerdutyServiceSchema = z.object({ service_id: z.string().min(1) }).strict();

const prometheusServiceSchema = z
  .object({
    /** PromQL selector labels identifying the service, e.g. {job="checkout"}. */
    selector: z.string().default(""),
    requests: z.string().optional(),
    errors: z.string().optional(),
    latency_bucket: z.string().optional(),
    availability: z.string().optional(),
  })
  .strict();

const sonarServiceSchema = z.object({ project_key: z.string().min(1) }).strict();

/** One incident filter: every list given must match (an absent list matches anything). */
const incidentFilterSchema = z
  .object({
    severities: z.array(z.string().min(1)).min(1).optional(),
    urgencies: z.array(z.enum(["high", "low"])).min(1).optional(),
    priorities: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

/** Which incidents count (docs/incident-attribution.md): top level, team or service; the most specific wins, each filter separately. */
const incidentsSchema = z
  .object({
    /** Incidents that can mark a deployment failed (change failure rate, failed deployment recovery time). */
    change_failure: incidentFilterSchema.optional(),
    /** Incidents that count toward MTTR and MTTA. */
    recovery: incidentFilterSchema.optional(),
  })
  .strict();

const serviceSchema = z
  .object({
    id,
    name: z.string().optional(),
    incidents: incidentsSchema.optional(),
    github: githubServiceSchema.optional(),
    gitlab: gitlabServiceSchema.optional(),
    pagerduty: pagerdutyServiceSchema.optional(),
    prometheus: prometheusServiceSchema.optional(),
    sonar: sonarServiceSchema.optional(),
  })
  .strict();

const reviewPolicySchema = z
  .object({
    severities: z.array(z.string()).default(["SEV1", "SEV2"]),
    urgencies: z.array(z.enum(["high", "low"])).default(["high"]),
    due_business_days: z.number().int().min(1).max(30).default(5),
  })
  .strict();

const teamSchema = z
  .object({
    id,
    name: z.string().min(1),
    channel: z.string().regex(/^[CG][A-Z0-9]{6,}$/, "expected a Slack channel id such as C0123456789").optional(),
    timezone: timeZone.optional(),
    services: z.array(id).default([]),
    digest: z
      .object({ day: weekday.default("monday"), time: clock.default("09:00") })
      .strict()
      .default({ day: "monday", time: "09:00" }),
    working_hours: z
      .object({ start: clock.default("09:00"), end: clock.default("18:00") })
      .strict()
      .default({ start: "09:00", end: "18:00" }),
    review_policy: reviewPolicySchema.optional(),
    incidents: incidentsSchema.optional(),
  })
  .strict();

const thresholdSchema = z
  .object({
    metric: z.enum(METRIC_IDS),
    warn: z.number(),
    critical: z.number(),
    team: id.optional(),
    service: id.optional(),
  })
  .strict()
  .refine((t) => !(t.team && t.service), { message: "give team or service, not both" });

const minutes = (fallback: number) => z.number().int().min(1).max(24 * 60).default(fallback);

export const fileConfigSchema = z
  .object({
    timezone: timeZone.default("UTC"),
    /** The environment name that counts for the delivery metrics. */
    production_environment: z.string().min(1).default("production"),
    week_start: weekday.default("monday"),
    metrics: z
      .object({
        /** CFR: an incident within this many hours after a deployment (and before the next) is attributed to it. */
        attribution_window_hours: z.number().positive().default(24),
        /** Uptime derived from incidents: severities that count as an outage. */
        outage_severities: z.array(z.string()).default(["SEV1"]),
        /** Below this many samples, drivers and prompts are not computed ("too thin to say"). */
        min_sample_size: z.number().int().min(1).default(5),
      })
      .strict()
      .default({ attribution_window_hours: 24, outage_severities: ["SEV1"], min_sample_size: 5 }),
    incidents: incidentsSchema.default({}),
    teams: z.array(teamSchema).default([]),
    services: z.array(serviceSchema).default([]),
    thresholds: z.array(thresholdSchema).default([]),
    github: z
      .object({
        sync_every_minutes: minutes(15),
        backfill_days: z.number().int().min(1).default(90),
        /** The first deployment of a repo has no predecessor: look back this many days, or 0 to skip it. */
        first_deployment_lookback_days: z.number().int().min(0).default(30),
        /** How the Deployments API source reads history: bulk GraphQL queries, or REST request by request. */
        api: z.enum(["graphql", "rest"]).default("graphql"),
      })
      .strict()
      .default({ sync_every_minutes: 15, backfill_days: 90, first_deployment_lookback_days: 30, api: "graphql" }),
    gitlab: z
      .object({
        sync_every_minutes: minutes(15),
        backfill_days: z.number().int().min(1).default(90),
        /** The first deployment of a project has no predecessor: look back this many days, or 0 to skip it. */
        first_deployment_lookback_days: z.number().int().min(0).default(30),
      })
      .strict()
      .default({ sync_every_minutes: 15, backfill_days: 90, first_deployment_lookback_days: 30 }),
    pagerduty: z
      .object({
        sync_every_minutes: minutes(15),
        backfill_days: z.number().int().min(1).default(90),
        /** PagerDuty incidents of these priorities (with high urgency) count as outages for derived uptime. */
        outage_priorities: z.array(z.string()).default(["P1"]),
        /** Sync incidents of every PagerDuty service, not only mapped ones (unmapped ones are kept, unattributed). */
        all_services: z.boolean().default(false),
      })
      .strict()
      .default({ sync_every_minutes: 15, backfill_days: 90, outage_priorities: ["P1"], all_services: false }),
    prometheus: z
      .object({ sync_every_minutes: minutes(60), backfill_days: z.number().int().min(1).default(30) })
      .strict()
      .default({ sync_every_minutes: 60, backfill_days: 30 }),
    sonar: z
      .object({ sync_every_minutes: minutes(360), backfill_days: z.number().int().min(1).default(90) })
      .strict()
      .default({ sync_every_minutes: 360, backfill_days: 90 }),
    cost: z
      .object({
        /** The FOCUS tag that names the Vitals service a cost row belongs to. */
        service_tag: z.string().min(1).default("service"),
        /** Share untagged cost across services in proportion to their tagged cost. */
        share_untagged: z.boolean().default(true),
      })
      .strict()
      .default({ service_tag: "service", share_untagged: true }),
    alerts: z
      .object({
        evaluate_every_minutes: minutes(60),
        /** Where alerts about the whole organisation go (team and service alerts go to the team's channel). */
        channel: z.string().regex(/^[CG][A-Z0-9]{6,}$/, "expected a Slack channel id such as C0123456789").optional(),
        /** Remind about an unacknowledged breach at most this often. */
        reminder_hours: z.number().positive().default(24),
        /** Recovery needs the value this far (percent of the threshold) on the healthy side. */
        hysteresis_pct: z.number().min(0).max(100).default(10),
      })
      .strict()
      .default({ evaluate_every_minutes: 60, reminder_hours: 24, hysteresis_pct: 10 }),
    reviews: reviewPolicySchema.default({ severities: ["SEV1", "SEV2"], urgencies: ["high"], due_business_days: 5 }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const teamIds = new Set<string>();
    config.teams.forEach((team, index) => {
      if (teamIds.has(team.id)) ctx.addIssue({ code: "custom", path: ["teams", index, "id"], message: `duplicate team id "${team.id}"` });
      teamIds.add(team.id);
    });
    const serviceIds = new Set<string>();
    config.services.forEach((service, index) => {
      if (serviceIds.has(service.id)) {
        ctx.addIssue({ code: "custom", path: ["services", index, "id"], message: `duplicate service id "${service.id}"` });
      }
      serviceIds.add(service.id);
    });
    const owner = new Map<string, string>();
    config.teams.forEach((team, teamIndex) => {
      team.services.forEach((service, serviceIndex) => {
        const previous = owner.get(service);
        if (previous && previous !== team.id) {
          ctx.addIssue({
            code: "custom",
            path: ["teams", teamIndex, "services", serviceIndex],
            message: `service "${service}" already belongs to team "${previous}"`,
          });
        }
        owner.set(service, team.id);
      });
    });
    config.thresholds.forEach((threshold, index) => {
      if (threshold.team && !teamIds.has(threshold.team)) {
        ctx.addIssue({ code: "custom", path: ["thresholds", index, "team"], message: `unknown team "${threshold.team}"` });
      }
    });
  });

export type FileConfig = Readonly<z.infer<typeof fileConfigSchema>>;
export type TeamConfig = FileConfig["teams"][number];
export type ServiceConfig = FileConfig["services"][number];
export type ThresholdConfig = FileConfig["thresholds"][number];
export type ReviewPolicy = z.infer<typeof reviewPolicySchema>;
export type IncidentsConfig = z.infer<typeof incidentsSchema>;

/** Parse YAML text; problems are reported as `file:line: path.to.field: problem`. */
export function parseFileConfig(text: string, fileName: string): FileConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigError(
      `${fileName} is not valid YAML`,
      document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return `${fileName}:${position.line}: ${error.message.split("\n")[0]}`;
      }),
    );
  }
  const result = fileConfigSchema.safeParse(document.toJS() ?? {});
  if (result.success) return Object.freeze(result.data);
  throw new ConfigError(
    `${fileName} has ${result.error.issues.length} problem${result.error.issues.length === 1 ? "" : "s"}`,
    result.error.issues.map((issue) => {
      const path = issue.path.map(String);
      const line = lineOfPath(document, lineCounter, path);
      return `${fileName}${line ? `:${line}` : ""}: ${path.join(".") || "(top level)"}: ${issue.message}`;
    }),
  );
}

/** Read the YAML file; a missing file at the default path means "no teams yet", not an error. */
export function loadFileConfig(path: string, { required }: { required: boolean }): FileConfig {
  if (!existsSync(path)) {
    if (required) throw new ConfigError(`config file not found: ${path}`, ["set VITALS_CONFIG or create the file (see vitals.example.yml)"]);
    return parseFileConfig("{}", path);
  }
  return parseFileConfig(readFileSync(path, "utf8"), path);
}

function lineOfPath(document: ReturnType<typeof parseDocument>, counter: LineCounter, path: string[]): number | undefined {
  // Walk up the path until a node exists (a missing field is reported at its parent).
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true);
    if (node && typeof node === "object" && "range" in node && isNode(node)) {
      const range = (node as { range?: [number, number, number] }).range;
      if (range) return counter.linePos(range[0]).line;
    }
  }
  return undefined;
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
