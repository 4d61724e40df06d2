import type { ChangeRecord, DeploymentRecord, IncidentRecord, SampleRecord, VitalsRecord } from "../../domain/records.js";
import { DAY_MS, HOUR_MS } from "../../domain/scope.js";
import { createRandom, type Random } from "./random.js";
import { demoCatalog, type DemoCatalog, type DemoService } from "./catalog.js";

// Deterministic demo data: a small engineering org with a year of history and a story in the
// last month, so that `npm run demo` shows trends, drivers and root-cause prompts worth reading:
// - checkout's change failure rate rises after Friday deploys start (annotation: release train change);
// - payments-api's pickup time doubles when its review rotation is paused (annotation);
// - gateway's latency P95 climbs after a dependency upgrade (annotation).
// The same seed and `nowMs` always give the same records; `scale` multiplies the org for benchmarks.

export interface DemoOptions {
  readonly nowMs: number;
  readonly seed?: number;
  /** History length in days (default 365). */
  readonly days?: number;
  /** Number of services (default 8; more are named svc-001…, spread over more teams). */
  readonly services?: number;
  /** Multiplies deployment and incident rates (default 1). */
  readonly scale?: number;
  /** Leave out metric samples and annotations (benchmarks of the delivery metrics). */
  readonly deliveryOnly?: boolean;
}

const MINUTE_MS = 60_000;
/** The story starts this many days before now. */
const STORY_DAYS = 28;

export function generateDemoRecords(options: DemoOptions): VitalsRecord[] {
  const records: VitalsRecord[] = [];
  for (const batch of demoRecordBatches(options)) records.push(...batch);
  return records;
}

/** One batch per service (plus one for org-wide records): bounded memory for large benchmarks. */
export function* demoRecordBatches(options: DemoOptions): Generator<VitalsRecord[]> {
  const catalog = demoCatalog(options.services ?? 8);
  const days = options.days ?? 365;
  const endDay = Math.floor(options.nowMs / DAY_MS) * DAY_MS;
  const startMs = endDay - days * DAY_MS;
  for (const [index, service] of catalog.services.entries()) {
    const random = createRandom((options.seed ?? 42) * 7919 + index);
    yield serviceRecords(service, random, { ...options, startMs, endDay, days });
  }
  if (!options.deliveryOnly) yield orgRecords(catalog, createRandom((options.seed ?? 42) + 1), { startMs, endDay, nowMs: options.nowMs });
}

interface Span {
  readonly nowMs: number;
  readonly startMs: number;
  readonly endDay: number;
  readonly days: number;
  readonly scale?: number;
  readonly deliveryOnly?: boolean;
}

function serviceRecords(service: DemoService, random: Random, span: Span): VitalsRecord[] {
  const out: VitalsRecord[] = [];
  const storyFrom = span.endDay - STORY_DAYS * DAY_MS;
  const scale = span.scale ?? 1;
  let previousSha: string | undefined;
  let deployCounter = 0;
  let prCounter = 1000;
  let incidentCounter = 0;
  const outages: Array<[number, number]> = [];

  for (let day = span.startMs; day <= span.endDay; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay(); // 0 Sunday … 6 Saturday
    if (weekday === 0 || weekday === 6) continue;
    const inStory = day >= storyFrom;
    const isFriday = weekday === 5;
    // Before the story, checkout avoided Friday deploys; the new release train ships on Fridays too.
    if (service.id === "checkout" && isFriday && !inStory) continue;
    const count = random.poisson(service.deploysPerDay * scale);
    const times = Array.from({ length: count }, () => day + service.utcWorkStartHour * HOUR_MS + random.int(0, 9 * 60) * MINUTE_MS).sort((a, b) => a - b);
    for (const finishedAtMs of times) {
      if (finishedAtMs >= span.nowMs) continue;
      deployCounter++;
      const externalId = `${service.id}-d${deployCounter}`;
      const failedRun = random.chance(0.04);
      const sha = random.sha();
      if (failedRun) {
        out.push(deployment({ externalId, service: service.id, status: "failure", finishedAtMs, sha, changes: [] }));
        continue;
      }
      const changes: ChangeRecord[] = [];
      const prs = 1 + random.int(0, 2);
      for (let p = 0; p < prs; p++) {
        prCounter++;
        const slowPickup = service.id === "payments-api" && inStory;
        const merged = finishedAtMs - random.between(0.3, 5) * HOUR_MS;
        const firstReview = merged - random.between(0.5, 6) * HOUR_MS;
        const opened = firstReview - random.between(1, 14) * (slowPickup ? 3 : 1) * HOUR_MS;
        const firstCommit = opened - random.between(2, 40) * HOUR_MS;
        const size = Math.round(random.lognormal(4.5, 0.9));
        const pr = {
          number: prCounter,
          openedAtMs: Math.round(opened),
          firstReviewAtMs: Math.round(firstReview),
          mergedAtMs: Math.round(merged),
          size,
          labels: random.chance(0.1) ? ["bug"] : ["feature"],
          headBranch: `feature/${service.id}-${prCounter}`,
          title: random.pick(PR_TITLES),
          author: random.pick(service.engineers),
          url: `https://github.com/acme/${service.id}/pull/${prCounter}`,
        };
        const commits = 1 + random.int(0, 2);
        for (let c = 0; c < commits; c++) {
          const committedAtMs = Math.round(firstCommit + (c / commits) * (opened - firstCommit));
          changes.push({ sha: c === commits - 1 ? `${sha.slice(0, 32)}${p.toString(16).padStart(8, "0")}` : random.sha(), committedAtMs, pr });
        }
      }
      out.push(deployment({ externalId, service: service.id, status: "success", finishedAtMs, sha, changes }));

      let failureRate = service.failureRate;
      // The story is strong enough to be significant over the last 30 days (Fisher, p < 0.05), not
      // only in its Friday pattern: Friday deploys fail most, the faster train fails more overall.
      if (service.id === "checkout" && inStory) failureRate = isFriday ? 0.7 : 0.16;
      if (random.chance(failureRate)) {
        // This deployment causes an incident; sometimes it is rolled back to the previous sha.
        incidentCounter++;
        const created = Math.round(finishedAtMs + random.between(10, 300) * MINUTE_MS);
        const incident = incidentAt(service, random, `${service.id}-i${incidentCounter}`, created, span.nowMs, {
          deploymentRef: random.chance(0.3) ? externalId : undefined,
        });
        out.push(incident.record);
        if (incident.outage) outages.push(incident.outage);
        if (previousSha && random.chance(0.35)) {
          deployCounter++;
          const rollbackAt = Math.round(created + random.between(15, 60) * MINUTE_MS);
          if (rollbackAt < span.nowMs) {
            out.push(
              deployment({
                externalId: `${service.id}-d${deployCounter}`,
                service: service.id,
                status: "success",
                finishedAtMs: rollbackAt,
                sha: previousSha,
                rollbackOf: externalId,
                changes: [],
              }),
            );
          }
        }
      }
      previousSha = sha;
    }
    // Incidents not caused by a deployment (capacity, third parties), about one every two weeks.
    if (random.chance(0.07 * scale)) {
      incidentCounter++;
      const created = day + random.int(0, 24 * 60) * MINUTE_MS;
      if (created < span.nowMs) {
        const incident = incidentAt(service, random, `${service.id}-i${incidentCounter}`, created, span.nowMs, {});
        out.push(incident.record);
        if (incident.outage) outages.push(incident.outage);
      }
    }
  }
  if (!span.deliveryOnly) out.push(...serviceSamples(service, random, span, outages));
  return out;
}

function deployment(d: Omit<DeploymentRecord, "source" | "environment">): VitalsRecord {
  return {
    kind: "deployment",
    source: "demo",
    environment: "production",
    url: `https://github.com/acme/${d.service}/deployments`,
    ...d,
  };
}

function incidentAt(
  service: DemoService,
  random: Random,
  externalId: string,
  createdAtMs: number,
  nowMs: number,
  extra: { deploymentRef?: string | undefined },
): { record: VitalsRecord; outage?: [number, number] } {
  const sev1 = random.chance(0.15);
  const severity = sev1 ? "SEV1" : random.chance(0.45) ? "SEV2" : "SEV3";
  const urgency = severity === "SEV3" ? "low" : "high";
  const acknowledged = createdAtMs + random.between(1, urgency === "high" ? 15 : 90) * MINUTE_MS;
  // Repair times are long-tailed; SEV1s get all hands and are fixed faster on median.
  const repairHours = Math.min(72, random.lognormal(sev1 ? 0.2 : 0.9, 0.9));
  const resolved = acknowledged + repairHours * HOUR_MS;
  const open = resolved >= nowMs;
  const owner = random.pick(service.engineers);
  const record: IncidentRecord = {
    source: "demo",
    externalId,
    service: service.id,
    title: `${service.name}: ${random.pick(INCIDENT_TITLES)}`,
    severity,
    urgency,
    priority: sev1 ? "P1" : severity === "SEV2" ? "P2" : "P3",
    status: open ? (acknowledged < nowMs ? "acknowledged" : "triggered") : "resolved",
    createdAtMs: Math.round(createdAtMs),
    acknowledgedAtMs: acknowledged < nowMs ? Math.round(acknowledged) : undefined,
    resolvedAtMs: open ? undefined : Math.round(resolved),
    ownerName: owner,
    ownerEmail: `${owner.toLowerCase().replace(/[^a-z]+/g, ".")}@acme.example`,
    escalationPolicy: `${service.team} on-call`,
    url: `https://acme.pagerduty.com/incidents/${externalId}`,
    deploymentRef: extra.deploymentRef,
  };
  const result: { record: VitalsRecord; outage?: [number, number] } = { record: { kind: "incident", ...record } };
  if (sev1) result.outage = [createdAtMs, Math.min(resolved, nowMs)];
  return result;
}

function serviceSamples(service: DemoService, random: Random, span: Span, outages: Array<[number, number]>): VitalsRecord[] {
  const out: VitalsRecord[] = [];
  const storyFrom = span.endDay - STORY_DAYS * DAY_MS;
  let coverage = service.coverage;
  let debt = service.debtRatio;
  for (let day = span.startMs; day < span.endDay; day += DAY_MS) {
    const sample = (name: SampleRecord["name"], value: number, atMs = day): void => {
      out.push({ kind: "metric", source: "demo", service: service.id, name, atMs, untilMs: atMs === day ? day + DAY_MS : undefined, value });
    };
    const weekday = new Date(day).getUTCDay();
    const traffic = weekday === 0 || weekday === 6 ? 0.6 : 1;
    const requests = Math.round(service.dailyRequests * traffic * random.between(0.9, 1.1));
    const downMs = outages.reduce((sum, [from, to]) => sum + Math.max(0, Math.min(to, day + DAY_MS) - Math.max(from, day)), 0);
    const errorRate = service.errorRate * random.between(0.7, 1.3) + (downMs > 0 ? 0.02 : 0);
    sample("requests", requests);
    sample("errors", Math.round(requests * errorRate));
    const slowdown = service.id === "gateway" && day >= storyFrom ? 1.6 : 1;
    sample("latency_p95_ms", Math.round(service.latencyMs * slowdown * random.between(0.85, 1.15)));
    sample("uptime_pct", round(100 * (1 - downMs / DAY_MS), 4));
    sample("infra_cost_usd", round(service.dailyCost * random.between(0.95, 1.05), 2));
    if (weekday === 1) {
      coverage = clamp(coverage + random.between(-0.6, 0.7), 40, 95);
      debt = clamp(debt + random.between(-0.15, 0.12), 0.5, 20);
      sample("coverage_pct", round(coverage, 1), day + 6 * HOUR_MS);
      sample("tech_debt_ratio_pct", round(debt, 2), day + 6 * HOUR_MS);
    }
  }
  return out;
}

function orgRecords(catalog: DemoCatalog, random: Random, span: { startMs: number; endDay: number; nowMs: number }): VitalsRecord[] {
  const out: VitalsRecord[] = [];
  let users = 42_000;
  for (let day = span.startMs; day < span.endDay; day += DAY_MS) {
    users = Math.round(users * random.between(0.998, 1.004));
    out.push({ kind: "metric", source: "demo", name: "active_users", atMs: day, untilMs: day + DAY_MS, value: users });
    // Shared infrastructure (networking, observability) not tagged to any one service.
    out.push({ kind: "metric", source: "demo", name: "infra_cost_usd", atMs: day, untilMs: day + DAY_MS, value: round(310 * random.between(0.95, 1.05), 2) });
  }
  const storyFrom = span.endDay - STORY_DAYS * DAY_MS;
  const annotations: Array<[number, string, string | undefined, string | undefined]> = [
    [storyFrom + 1 * DAY_MS + 9 * HOUR_MS, "Release train moved to daily, Fridays included", "checkout", "payments"],
    [storyFrom + 2 * DAY_MS + 10 * HOUR_MS, "Review rotation paused: 2 of 3 reviewers on leave", "payments-api", "payments"],
    [storyFrom + 3 * DAY_MS + 14 * HOUR_MS, "Upgraded HTTP client library to v5", "gateway", "platform"],
    [span.endDay - 120 * DAY_MS, "Moved CI to larger runners", undefined, undefined],
  ];
  for (const [index, [atMs, text, service, team]] of annotations.entries()) {
    if ((service && !catalog.services.some((s) => s.id === service)) || atMs < span.startMs || atMs >= span.nowMs) continue;
    out.push({ kind: "annotation", source: "demo", externalId: `demo-annotation-${index + 1}`, atMs, text, service, team, author: "demo" });
  }
  return out;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

const PR_TITLES = [
  "Add retry to payment capture",
  "Refactor session handling",
  "Bump dependencies",
  "Fix race in cart update",
  "Add metrics for queue depth",
  "Improve search ranking",
  "Remove legacy endpoint",
  "Cache tax rates",
  "Paginate order history",
  "Tighten input validation",
];

const INCIDENT_TITLES = [
  "elevated 5xx rate",
  "p95 latency above SLO",
  "queue backlog growing",
  "database connection pool exhausted",
  "third-party provider timeouts",
  "memory leak after deploy",
  "certificate expiry warning",
  "failed health checks in one zone",
];
