import { stringify } from "yaml";
import { DAY_MS, HOUR_MS } from "../src/domain/scope.js";
import { createRandom } from "../src/sources/demo/random.js";
const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "America/Los_Angeles"];
const SERVICES_PER_TEAM = 10;
const MINUTE_MS = 60_000;
export function benchOrg(options) {
    const serviceCount = Math.max(20, Math.round(240 * options.scale));
    const services = Array.from({ length: serviceCount }, (_, i) => ({
        id: `svc-${String(i + 1).padStart(3, "0")}`,
        team: `team-${String(Math.floor(i / SERVICES_PER_TEAM) + 1).padStart(2, "0")}`,
    }));
    const teamIds = [...new Set(services.map((s) => s.team))];
    const teams = teamIds.map((id, i) => ({ id, timezone: ZONES[i % ZONES.length], services: services.filter((s) => s.team === id).map((s) => s.id) }));
    const configYaml = stringify({
        timezone: "UTC",
        teams: teams.map((t) => ({ id: t.id, name: t.id.replace("team-", "Team "), timezone: t.timezone, services: t.services })),
        services: services.map((s) => ({ id: s.id })),
        thresholds: [
            { metric: "change_failure_rate", warn: 10, critical: 15 },
            { metric: "mttr", warn: 4, critical: 12 },
            { metric: "uptime", warn: 99.9, critical: 99.5 },
        ],
    });
    return { services, teams, configYaml, days: options.days ?? 730 };
}
/** One batch of records per day, oldest first. */
export function* benchRecordBatches(org, options) {
    const random = createRandom(options.seed ?? 7);
    const startDay = Math.floor(options.nowMs / DAY_MS) * DAY_MS - org.days * DAY_MS;
    // Per-service state carried across days: counters, last deployment, rates.
    const state = org.services.map((service, index) => ({
        service: service.id,
        deploysPerDay: 2.3 + (index % 7) * 0.4,
        failureRate: 0.04 + (index % 5) * 0.02,
        counter: 0,
        pr: 0,
        incidents: 0,
        last: undefined,
        previous: undefined,
        requests: 200_000 + (index % 11) * 150_000,
        latency: 80 + (index % 13) * 25,
        coverage: 60 + (index % 30),
        debt: 2 + (index % 9),
    }));
    for (let day = startDay; day < options.nowMs; day += DAY_MS) {
        const batch = [];
        const weekday = new Date(day).getUTCDay();
        const workday = weekday !== 0 && weekday !== 6;
        for (const s of state) {
            if (workday) {
                const count = random.poisson(s.deploysPerDay);
                for (let k = 0; k < count; k++) {
                    const finishedAtMs = day + 8 * HOUR_MS + random.int(0, 10 * 60) * MINUTE_MS;
                    if (finishedAtMs >= options.nowMs)
                        continue;
                    s.counter++;
                    const externalId = `${s.service}-d${s.counter}`;
                    const sha = random.sha();
                    batch.push({ kind: "deployment", source: "demo", externalId, service: s.service, environment: "production", status: "success", finishedAtMs, sha, changes: changes(random, s, sha, finishedAtMs) });
                    s.previous = s.last;
                    s.last = { externalId, sha };
                    if (random.chance(s.failureRate)) {
                        s.incidents++;
                        const created = Math.round(finishedAtMs + random.between(5, 240) * MINUTE_MS);
                        // 10 % name their deployment explicitly (an incident-tool custom field).
                        batch.push(incident(random, s.service, `${s.service}-i${s.incidents}`, created, options.nowMs, random.chance(0.1) ? externalId : undefined));
                        if (s.previous && random.chance(0.3)) {
                            s.counter++;
                            const rollbackAt = Math.round(created + random.between(10, 60) * MINUTE_MS);
                            if (rollbackAt < options.nowMs) {
                                batch.push({ kind: "deployment", source: "demo", externalId: `${s.service}-d${s.counter}`, service: s.service, environment: "production", status: "success", finishedAtMs: rollbackAt, sha: s.previous.sha, rollbackOf: externalId, changes: [] });
                            }
                        }
                    }
                }
            }
            // Incidents not caused by a deployment (capacity, dependencies, alerts).
            const background = random.poisson(0.5);
            for (let k = 0; k < background; k++) {
                const created = day + random.int(0, 24 * 60 - 1) * MINUTE_MS;
                if (created >= options.nowMs)
                    continue;
                s.incidents++;
                batch.push(incident(random, s.service, `${s.service}-i${s.incidents}`, created, options.nowMs, undefined));
            }
            batch.push(...samples(random, s, day));
        }
        batch.push({ kind: "metric", source: "demo", name: "active_users", atMs: day, untilMs: day + DAY_MS, value: Math.round(900_000 * random.between(0.97, 1.03)) });
        batch.push({ kind: "metric", source: "demo", name: "infra_cost_usd", atMs: day, untilMs: day + DAY_MS, value: Math.round(5_000 * random.between(0.95, 1.05)) });
        yield batch;
    }
}
function changes(random, s, sha, finishedAtMs) {
    const prs = 1 + (random.chance(0.45) ? 1 : 0);
    const out = [];
    for (let p = 0; p < prs; p++) {
        s.pr++;
        const merged = finishedAtMs - random.between(0.2, 6) * HOUR_MS;
        const review = merged - random.between(0.5, 8) * HOUR_MS;
        const opened = review - random.between(0.5, 24) * HOUR_MS;
        const committed = opened - random.between(1, 48) * HOUR_MS;
        out.push({
            sha: p === 0 ? sha : random.sha(),
            committedAtMs: Math.round(committed),
            pr: { number: s.pr, openedAtMs: Math.round(opened), firstReviewAtMs: Math.round(review), mergedAtMs: Math.round(merged), size: Math.round(random.lognormal(4.5, 1)), title: `Change ${s.pr}` },
        });
    }
    return out;
}
function incident(random, service, externalId, createdAtMs, nowMs, deploymentRef) {
    const sev1 = random.chance(0.1);
    const acknowledged = createdAtMs + random.between(1, 30) * MINUTE_MS;
    const resolved = acknowledged + Math.min(96, random.lognormal(sev1 ? 0 : 0.8, 1)) * HOUR_MS;
    return {
        kind: "incident",
        source: "demo",
        externalId,
        service,
        title: `${service}: ${sev1 ? "outage" : "degradation"} ${externalId}`,
        severity: sev1 ? "SEV1" : random.chance(0.4) ? "SEV2" : "SEV3",
        urgency: sev1 ? "high" : "low",
        createdAtMs: Math.round(createdAtMs),
        acknowledgedAtMs: acknowledged < nowMs ? Math.round(acknowledged) : undefined,
        resolvedAtMs: resolved < nowMs ? Math.round(resolved) : undefined,
        url: `https://acme.pagerduty.com/incidents/${externalId}`,
        deploymentRef,
    };
}
function samples(random, s, day) {
    const requests = Math.round(s.requests * random.between(0.9, 1.1));
    const base = { kind: "metric", source: "demo", service: s.service, atMs: day };
    const out = [
        { ...base, name: "requests", value: requests },
        { ...base, name: "errors", value: Math.round(requests * random.between(0.001, 0.008)) },
        { ...base, name: "latency_p95_ms", value: Math.round(s.latency * random.between(0.85, 1.25)) },
        { ...base, name: "uptime_pct", value: Math.min(100, 99.5 + random.between(0, 0.5)) },
        { ...base, name: "infra_cost_usd", untilMs: day + DAY_MS, value: Math.round(300 * random.between(0.9, 1.1)) },
    ];
    if (new Date(day).getUTCDay() === 1) {
        out.push({ ...base, name: "coverage_pct", value: Math.round((s.coverage + random.between(-1, 1)) * 10) / 10 });
        out.push({ ...base, name: "tech_debt_ratio_pct", value: Math.round((s.debt + random.between(-0.2, 0.2)) * 100) / 100 });
    }
    return out;
}
//# sourceMappingURL=org.js.map