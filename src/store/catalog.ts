import type { FileConfig } from "../config/file.js";
import type { Dialect } from "./sql/dialect.js";
import { all, run, type Sql } from "./sql/query.js";

export interface TeamRow {
  id: string;
  name: string;
  channel: string | null;
  timezone: string;
}

export interface ServiceRow {
  id: string;
  name: string | null;
  team_id: string | null;
  from_config: number;
}

/** Teams and services: declared in the YAML file, or created on the fly by imported data. */
export function catalogOps(d: Dialect) {
  const UPSERT_TEAM = `INSERT INTO teams (id, name, channel, timezone) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, channel = excluded.channel, timezone = excluded.timezone
     WHERE teams.name IS DISTINCT FROM excluded.name OR teams.channel IS DISTINCT FROM excluded.channel OR teams.timezone IS DISTINCT FROM excluded.timezone`;
  const UPSERT_SERVICE = `INSERT INTO services (id, name, team_id, from_config) VALUES (?, ?, ?, 1)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, team_id = excluded.team_id, from_config = 1
     WHERE services.name IS DISTINCT FROM excluded.name OR services.team_id IS DISTINCT FROM excluded.team_id OR services.from_config = 0`;
  // `WHERE true` lets SQLite parse ON CONFLICT after a SELECT.
  const ENSURE_SERVICES = `INSERT INTO services (id) SELECT value FROM (${d.textList()}) AS ids WHERE true ON CONFLICT (id) DO NOTHING`;
  const TEAMS = `SELECT id, name, channel, timezone FROM teams ORDER BY ${d.byteOrder("id")}`;
  const SERVICES = `SELECT id, name, team_id, from_config FROM services ORDER BY ${d.byteOrder("id")}`;
  const DETACH_STALE = `UPDATE services SET team_id = NULL, from_config = 0
     WHERE from_config = 1 AND id NOT IN (${d.textList()})`;
  const DELETE_STALE_TEAMS = `DELETE FROM teams WHERE id NOT IN (${d.textList()})`;

  return {
    /** Make the stored catalog match the YAML file (a service removed from the file keeps its data). */
    *syncFromConfig(config: FileConfig): Sql<void> {
      for (const team of config.teams) {
        yield* run(UPSERT_TEAM, [team.id, team.name, team.channel ?? null, team.timezone ?? config.timezone]);
      }
      const teamOf = new Map<string, string>();
      for (const team of config.teams) for (const service of team.services) teamOf.set(service, team.id);
      const declared = new Set([...config.services.map((s) => s.id), ...teamOf.keys()]);
      const names = new Map(config.services.map((s) => [s.id, s.name ?? null]));
      for (const id of declared) yield* run(UPSERT_SERVICE, [id, names.get(id) ?? null, teamOf.get(id) ?? null]);
      yield* run(DETACH_STALE, [JSON.stringify([...declared])]);
      yield* run(DELETE_STALE_TEAMS, [JSON.stringify(config.teams.map((t) => t.id))]);
    },
    /** Services that appear in data but not in the file are created on the fly, with no team. */
    *ensureServices(ids: Iterable<string>): Sql<void> {
      const unique = [...new Set(ids)];
      if (unique.length > 0) yield* run(ENSURE_SERVICES, [JSON.stringify(unique)]);
    },
    *teams(): Sql<TeamRow[]> {
      return yield* all<TeamRow>(TEAMS);
    },
    *services(): Sql<ServiceRow[]> {
      return yield* all<ServiceRow>(SERVICES);
    },
  };
}
