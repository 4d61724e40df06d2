import type { Db } from "../db.js";
import { CHANGE_FACTS, DEPLOYMENT_FACTS, DERIVED_DEFINITIONS, DERIVED_VERSION, SAMPLE_POINTS, STAGE_DAYS, stageDayOf, type DerivedDefinition } from "./definitions.js";

// Runs the definitions of definitions.ts: a full rebuild, or a refresh of the keys the write paths
// touched (each write path of the store says which keys it touched; `flush` recomputes exactly
// those, in the caller's transaction). A full rebuild and any sequence of refreshes give the same
// rows (test/store/derived.test.ts), because both run the same SELECT.

// The one dialect-specific piece: the touched keys arrive as one JSON array of key tuples and
// become the relation `refresh_keys(k0, k1, k2)` (PostgreSQL: jsonb_array_elements).
const REFRESH_KEYS = "WITH refresh_keys(k0, k1, k2) AS (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))";

type Key = readonly (string | number)[];

interface Plan {
  readonly definition: DerivedDefinition;
  readonly pending: Map<string, Key>;
  refresh(keysJson: string): void;
  rebuild(): void;
}

function plan(db: Db, definition: DerivedDefinition): Plan {
  const { table, keys, columns } = definition;
  const all = [...keys, ...columns];
  let refresh: (keysJson: string) => void;
  let rebuild: () => void;
  if (definition.kind === "columns") {
    // Only rows whose derived values differ are written (an unchanged batch rewrites no index entry).
    const update = (from: string) => `
      UPDATE ${table} SET ${columns.map((c) => `${c} = x.${c}`).join(", ")}
      FROM (${definition.select(from)}) AS x
      WHERE ${table}.${keys[0]!} = x.${keys[0]!} AND (${columns.map((c) => `${table}.${c} IS DISTINCT FROM x.${c}`).join(" OR ")})`;
    const refreshOne = db.prepare(`${REFRESH_KEYS} ${update(definition.rowsOfKeys)}`);
    const rebuildAll = db.prepare(update(definition.everyRow));
    refresh = (keysJson) => void refreshOne.run(keysJson);
    rebuild = () => void rebuildAll.run();
  } else {
    const keyList = keys.map((_, i) => `k${i}`).join(", ");
    const remove = db.prepare(`${REFRESH_KEYS} DELETE FROM ${table} WHERE (${keys.join(", ")}) IN (SELECT ${keyList} FROM refresh_keys)`);
    const insert = db.prepare(`${REFRESH_KEYS} INSERT INTO ${table} (${all.join(", ")}) ${definition.select(definition.rowsOfKeys)}`);
    const clear = db.prepare(`DELETE FROM ${table}`);
    const fill = db.prepare(`INSERT INTO ${table} (${all.join(", ")}) ${definition.select(definition.everyRow)}`);
    refresh = (keysJson) => {
      remove.run(keysJson);
      insert.run(keysJson);
    };
    rebuild = () => {
      clear.run();
      fill.run();
    };
  }
  return { definition, pending: new Map(), refresh, rebuild };
}

export type DerivedData = ReturnType<typeof derivedData>;

/**
 * The derived data of one database. `version` and `definitions` are parameters for the tests (a
 * bumped version rebuilds); the store uses DERIVED_VERSION and DERIVED_DEFINITIONS.
 */
export function derivedData(db: Db, options: { version?: number; definitions?: readonly DerivedDefinition[] } = {}) {
  const version = options.version ?? DERIVED_VERSION;
  const plans = new Map<DerivedDefinition, Plan>();
  for (const definition of options.definitions ?? DERIVED_DEFINITIONS) plans.set(definition, plan(db, definition));
  const storedVersion = db.prepare<[], string>(`SELECT value FROM derived_settings WHERE key = 'derived_version'`).pluck();
  const saveVersion = db.prepare<[string]>(
    `INSERT INTO derived_settings (key, value) VALUES ('derived_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );

  const touch = (definition: DerivedDefinition, key: Key): void => {
    plans.get(definition)?.pending.set(key.join("\x1f"), key);
  };

  function rebuild(): void {
    db.transaction(() => {
      for (const p of plans.values()) {
        p.pending.clear();
        p.rebuild();
      }
    })();
  }

  return {
    /** A write changed deployment `id`, an incident linked to it, or a deployment rolling it back. */
    deploymentTouched: (id: number | null | undefined): void => {
      if (id !== null && id !== undefined) touch(DEPLOYMENT_FACTS, [id]);
    },
    /** A write changed change `id` (its times, size or first deployment). */
    changeTouched: (id: number): void => touch(CHANGE_FACTS, [id]),
    /** A write changed a change of `service` first shipped at `firstDeployedAtMs` (before or after the write). */
    stageDayTouched: (service: string, firstDeployedAtMs: number | null): void => {
      if (firstDeployedAtMs !== null) touch(STAGE_DAYS, [service, stageDayOf(firstDeployedAtMs)]);
    },
    /** A write changed a sample paired by SAMPLE_POINTS. */
    samplePointTouched: (service: string, atMs: number, source: string): void => touch(SAMPLE_POINTS, [service, atMs, source]),
    /** Recompute the touched keys (call in the write's transaction, after the records are written). */
    flush(): void {
      for (const p of plans.values()) {
        if (p.pending.size === 0) continue;
        const keys = JSON.stringify([...p.pending.values()]);
        p.pending.clear();
        p.refresh(keys);
      }
    },
    /** Recompute every derived row from the records (in one transaction). */
    rebuild,
    /** At open: rebuild when the database's derived data was made by other definitions. Returns whether it did. */
    ensureVersion(): boolean {
      if (storedVersion.get() === String(version)) return false;
      db.transaction(() => {
        rebuild();
        saveVersion.run(String(version));
      })();
      return true;
    },
  };
}
