import type { FileConfig } from "../../config/file.js";
import { parseFileConfig } from "../../config/file.js";
import { stringify } from "yaml";

export interface DemoService {
  readonly id: string;
  readonly name: string;
  readonly team: string;
  /** Start of the team's working day in UTC hours (deploys happen in working hours). */
  readonly utcWorkStartHour: number;
  readonly deploysPerDay: number;
  readonly failureRate: number;
  readonly engineers: readonly string[];
  readonly dailyRequests: number;
  readonly errorRate: number;
  readonly latencyMs: number;
  readonly dailyCost: number;
  readonly coverage: number;
  readonly debtRatio: number;
}

interface DemoTeam {
  readonly id: string;
  readonly name: string;
  readonly timezone: string;
  readonly channel: string;
  readonly utcWorkStartHour: number;
}

export interface DemoCatalog {
  readonly teams: readonly DemoTeam[];
  readonly services: readonly DemoService[];
}

const TEAMS: readonly DemoTeam[] = [
  { id: "payments", name: "Payments", timezone: "Europe/Berlin", channel: "C0PAYMENTS1", utcWorkStartHour: 7 },
  { id: "platform", name: "Platform", timezone: "America/New_York", channel: "C0PLATFORM1", utcWorkStartHour: 13 },
  { id: "growth", name: "Growth", timezone: "Europe/London", channel: "C0GROWTH01", utcWorkStartHour: 8 },
];

type Profile = Omit<DemoService, "team" | "utcWorkStartHour" | "engineers"> & { team: string };

const PROFILES: readonly Profile[] = [
  { id: "checkout", name: "Checkout", team: "payments", deploysPerDay: 2.2, failureRate: 0.04, dailyRequests: 1_800_000, errorRate: 0.004, latencyMs: 240, dailyCost: 410, coverage: 78, debtRatio: 4.2 },
  { id: "payments-api", name: "Payments API", team: "payments", deploysPerDay: 1.4, failureRate: 0.05, dailyRequests: 950_000, errorRate: 0.003, latencyMs: 180, dailyCost: 520, coverage: 84, debtRatio: 3.1 },
  { id: "ledger", name: "Ledger", team: "payments", deploysPerDay: 0.4, failureRate: 0.08, dailyRequests: 300_000, errorRate: 0.002, latencyMs: 120, dailyCost: 260, coverage: 88, debtRatio: 2.4 },
  { id: "gateway", name: "API Gateway", team: "platform", deploysPerDay: 1.1, failureRate: 0.04, dailyRequests: 6_500_000, errorRate: 0.002, latencyMs: 95, dailyCost: 880, coverage: 71, debtRatio: 5.6 },
  { id: "auth", name: "Auth", team: "platform", deploysPerDay: 0.7, failureRate: 0.05, dailyRequests: 2_400_000, errorRate: 0.001, latencyMs: 70, dailyCost: 340, coverage: 90, debtRatio: 1.8 },
  { id: "search", name: "Search", team: "platform", deploysPerDay: 0.9, failureRate: 0.09, dailyRequests: 1_200_000, errorRate: 0.006, latencyMs: 320, dailyCost: 700, coverage: 62, debtRatio: 8.9 },
  { id: "web", name: "Web storefront", team: "growth", deploysPerDay: 3.1, failureRate: 0.05, dailyRequests: 4_100_000, errorRate: 0.005, latencyMs: 410, dailyCost: 390, coverage: 66, debtRatio: 6.5 },
  { id: "notifications", name: "Notifications", team: "growth", deploysPerDay: 0.6, failureRate: 0.07, dailyRequests: 800_000, errorRate: 0.003, latencyMs: 150, dailyCost: 150, coverage: 74, debtRatio: 4.9 },
];

const ENGINEERS = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Barbara Liskov", "Ken Thompson", "Margaret Hamilton", "Linus Torvalds", "Radia Perlman", "Donald Knuth", "Frances Allen", "John Backus", "Edsger Dijkstra"];

/** The demo org: 3 teams and 8 services; beyond 8 services, svc-NNN clones spread over extra teams. */
export function demoCatalog(serviceCount = 8): DemoCatalog {
  const teams: DemoTeam[] = [...TEAMS];
  const services: DemoService[] = [];
  for (let i = 0; i < serviceCount; i++) {
    const base = PROFILES[i % PROFILES.length]!;
    let team = base.team;
    let id = base.id;
    let name = base.name;
    if (i >= PROFILES.length) {
      // Ten services per extra team, like a large org's many squads.
      const teamIndex = Math.floor((i - PROFILES.length) / 10);
      team = `squad-${String(teamIndex + 1).padStart(2, "0")}`;
      if (!teams.some((t) => t.id === team)) {
        teams.push({ id: team, name: `Squad ${teamIndex + 1}`, timezone: "UTC", channel: `C0SQUAD${String(teamIndex + 1).padStart(4, "0")}`, utcWorkStartHour: 9 });
      }
      id = `svc-${String(i + 1).padStart(3, "0")}`;
      name = `Service ${i + 1}`;
    }
    const teamInfo = teams.find((t) => t.id === team)!;
    const engineers = ENGINEERS.filter((_, k) => (k + i) % 3 !== 0).slice(0, 5);
    services.push({ ...base, id, name, team, utcWorkStartHour: teamInfo.utcWorkStartHour, engineers });
  }
  return { teams: teams.filter((t) => services.some((s) => s.team === t.id)), services };
}

/** The YAML config matching the demo data, with thresholds that make the story's breaches visible. */
export function demoConfigYaml(serviceCount = 8): string {
  const catalog = demoCatalog(serviceCount);
  const document = {
    timezone: "UTC",
    teams: catalog.teams.map((team) => ({
      id: team.id,
      name: team.name,
      channel: team.channel,
      timezone: team.timezone,
      services: catalog.services.filter((s) => s.team === team.id).map((s) => s.id),
    })),
    services: catalog.services.map((s) => ({ id: s.id, name: s.name })),
    thresholds: [
      { metric: "change_failure_rate", warn: 10, critical: 15 },
      { metric: "mttr", warn: 4, critical: 12 },
      { metric: "lead_time", warn: 48, critical: 96 },
      { metric: "uptime", warn: 99.9, critical: 99.5 },
      { metric: "latency_p95", warn: 300, critical: 500 },
      { metric: "error_rate", warn: 0.5, critical: 1 },
      { metric: "coverage", warn: 70, critical: 60 },
      ...(catalog.services.some((s) => s.id === "checkout") ? [{ metric: "change_failure_rate", warn: 8, critical: 12, service: "checkout" }] : []),
    ],
  };
  return `# Vitals demo configuration (generated by \`vitals demo\`; see vitals.example.yml for every option)\n${stringify(document)}`;
}

export function demoConfig(serviceCount = 8): FileConfig {
  return parseFileConfig(demoConfigYaml(serviceCount), "demo.yml");
}
