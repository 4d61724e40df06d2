import type { Dialect } from "../sql/dialect.js";
import { run, value, type Sql } from "../sql/query.js";
import { CHANGE_FACTS, DEPLOYMENT_FACTS, DERIVED_DEFINITIONS, DERIVED_VERSION, SAMPLE_POINTS, STAGE_DAYS, stageDayOf, type DerivedDefinition } from "./definitions.js";

// Runs the definitions of definitions.ts: a full rebuild, or a refresh of the keys a write touched
// (each write operation of the store collects them in a Touches and flushes it before its
// transaction ends; `flush` recomputes exactly those). A full rebuild and any sequence of refreshes
// give the same rows (test/store/derived.test.ts), because both run the same SELECT.

type Key = readonly (string | number)[];

/**
 * The derived keys one unit of work touched. One per write (never shared between writes: on
 * PostgreSQL two writes run at once on two connections, and each must refresh its own keys).
 */
export class Touches {
  readonly pending = new Map<DerivedDefinition, Map<string, Key>>();

  private touch(definition: DerivedDefinition, key: Key): void {
    let keys = this.pending.get(definition);
    if (keys === undefined) this.pending.set(definition, (keys = new Map()));
    keys.set(key.join("\x1f"), key);
  }

  /** A write changed deployment `id`, an incident linked to it, or a deployment rolling it back. */
  deploymentTouched(id: number | null | undefined): void {
    if (id !== null && id !== undefined) this.touch(DEPLOYMENT_FACTS, [id]);
  }

  /** A write changed change `id` (its times, size or first deployment). */
  changeTouched(id: number): void {
    this.touch(CHANGE_FACTS, [id]);
  }

  /** A write changed a change of `service` first shipped at `firstDeployedAtMs` (before or after the write). */
  stageDayTouched(service: string, firstDeployedAtMs: number | null): void {
    if (firstDeployedAtMs !== null) this.touch(STAGE_DAYS, [service, stageDayOf(firstDeployedAtMs)]);
  }

  /** A write changed a sample paired by SAMPLE_POINTS. */
  samplePointTouched(service: string, atMs: number, source: string): void {
    this.touch(SAMPLE_POINTS, [service, atMs, source]);
  }
}

interface Plan {
  refresh(keysJson: string): Sql<void>;
  rebuild(): Sql<void>;
}

function plan(d: Dialect, definition: DerivedDefinition): Plan {
  const { table, keys, columns } = definition;
  const all = [...keys, ...columns];
  const refreshKeys = `WITH ${d.keyTuples("refresh_keys", definition.keyTypes)}`;
  if (definition.kind === "columns") {
    // Only rows whose derived values differ are written (an unchanged batch rewrites no index entry).
    const update = (from: string) => `
      UPDATE ${table} SET ${columns.map((c) => `${c} = x.${c}`).join(", ")}
      FROM (${definition.select(from)}) AS x
      WHERE ${table}.${keys[0]!} = x.${keys[0]!} AND (${columns.map((c) => `${table}.${c} IS DISTINCT FROM x.${c}`).join(" OR ")})`;
    const refreshOne = `${refreshKeys} ${update(definition.rowsOfKeys)}`;
    const rebuildAll = update(definition.everyRow);
    return {
      *refresh(keysJson) {
        yield* run(refreshOne, [keysJson]);
      },
      *rebuild() {
        yield* run(rebuildAll);
      },
    };
  }
  const keyList = keys.map((_, i) => `k${i}`).join(", ");
  const remove = `${refreshKeys} DELETE FROM ${table} WHERE (${keys.join(", ")}) IN (SELECT ${keyList} FROM refresh_keys)`;
  const insert = `${refreshKeys} INSERT INTO ${table} (${all.join(", ")}) ${definition.select(definition.rowsOfKeys)}`;
  return {
    *refresh(keysJson) {
      yield* run(remove, [keysJson]);
      yield* run(insert, [keysJson]);
    },
    *rebuild() {
      yield* run(`DELETE FROM ${table}`);
      yield* run(`INSERT INTO ${table} (${all.join(", ")}) ${definition.select(definition.everyRow)}`);
    },
  };
}

export type DerivedOps = ReturnType<typeof derivedOps>;

/**
 * The derived data's operations. `version` and `definitions` are parameters for the tests (a bumped
 * version rebuilds); the store uses DERIVED_VERSION and DERIVED_DEFINITIONS.
 */
export function derivedOps(d: Dialect, options: { version?: number; definitions?: readonly DerivedDefinition[] } = {}) {
  const version = options.version ?? DERIVED_VERSION;
  const plans = new Map<DerivedDefinition, Plan>();
  for (const definition of options.definitions ?? DERIVED_DEFINITIONS) plans.set(definition, plan(d, definition));

  function* rebuild(): Sql<void> {
    for (const p of plans.values()) yield* p.rebuild();
  }

  return {
    /** Recompute the touched keys (in the write's transaction, after the records are written). */
    *flush(touches: Touches): Sql<void> {
      for (const [definition, keys] of touches.pending) {
        const p = plans.get(definition);
        if (p === undefined || keys.size === 0) continue;
        const json = JSON.stringify([...keys.values()]);
        keys.clear();
        yield* p.refresh(json);
      }
    },
    /** Recompute every derived row from the records (run it in one transaction). */
    rebuild,
    /**
     * At open (in a transaction): rebuild when the database's derived data was made by other
     * definitions. Returns whether it did. Replicas opening one PostgreSQL database at once take
     * turns (the transaction lock), so the second finds the version saved and rebuilds nothing.
     */
    *ensureVersion(): Sql<boolean> {
      const lock = d.transactionLock(DERIVED_LOCK_KEY);
      if (lock !== null) yield* run(lock);
      if ((yield* value<string>(`SELECT value FROM derived_settings WHERE key = 'derived_version'`)) === String(version)) return false;
      yield* rebuild();
      yield* run(`INSERT INTO derived_settings (key, value) VALUES ('derived_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [String(version)]);
      return true;
    },
  };
}

/** "VITALS" in ASCII, then 3 (the scheduler's lock ends in 1, the migrations' in 2). */
const DERIVED_LOCK_KEY = 0x564954414c530003n;

