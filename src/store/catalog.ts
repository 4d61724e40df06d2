import type { FileConfig } from "../config/file.js";
import type { Db } from "./db.js";

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
export function catalogStore(db: Db) {
  const upsertTeam = db.prepare<[string, string, string | null, string]>(
    `INSERT INTO teams (id, name, channel, timezone) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, channel = excluded.channel, timezone = excluded.timezone
     WHERE teams.name IS NOT excluded.name OR teams.channel IS NOT excluded.channel OR teams.timezone IS NOT excluded.timezone`,
  );
  const upsertService = db.prepare<[string, string | null, string | null]>(
    `INSERT INTO services (id, name, team_id, from_config) VALUES (?, ?, ?, 1)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, team_id = excluded.team_id, from_config = 1
     WHERE services.name IS NOT excluded.name OR services.team_id IS NOT excluded.team_id OR services.from_config = 0`,
  );
  const ensureService = db.prepare<[string]>(`INSERT INTO services (id) VALUES (?) ON CONFLICT (id) DO NOTHING`);
  const listTeams = db.prepare<[], TeamRow>(`SELECT id, name, channel, timezone FROM teams ORDER BY id`);
  const listServices = db.prepare<[], ServiceRow>(`SELECT id, name, team_id, from_config FROM services ORDER BY id`);
  const detachStale = db.prepare(
    `UPDATE services SET team_id = NULL, from_config = 0
     WHERE from_config = 1 AND id NOT IN (SELECT value FROM json_each(?))`,
  );
  const deleteStaleTeams = db.prepare(
    `DELETE FROM teams WHERE id NOT IN (SELECT value FROM json_each(?))`,
  );

  return {
    /** Make the stored catalog match the YAML file (a service removed from the file keeps its data). */
    syncFromConfig(config: FileConfig): void {
      db.transaction(() => {
        for (const team of config.teams) {
          upsertTeam.run(team.id, team.name, team.channel ?? null, team.timezone ?? config.timezone);
        }
        const teamOf = new Map<string, string>();
        for (const team of config.teams) for (const service of team.services) teamOf.set(service, team.id);
        const declared = new Set([...config.services.map((s) => s.id), ...teamOf.keys()]);
        const names = new Map(config.services.map((s) => [s.id, s.name ?? null]));
        for (const id of declared) upsertService.run(id, names.get(id) ?? null, teamOf.get(id) ?? null);
        detachStale.run(JSON.stringify([...declared]));
        deleteStaleTeams.run(JSON.stringify(config.teams.map((t) => t.id)));
      })();
    },
    /** Services that appear in data but not in the file are created on the fly, with no team. */
    ensureServices(ids: Iterable<string>): void {
      for (const id of ids) ensureService.run(id);
    },
    teams: (): TeamRow[] => listTeams.all(),
    services: (): ServiceRow[] => listServices.all(),
  };
}
