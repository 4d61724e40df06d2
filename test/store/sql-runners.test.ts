import { describe, expect, it } from "vitest";
import { numberPlaceholders } from "../../src/store/postgres/runner.js";
import { all, column, get, run, value, type Sql } from "../../src/store/sql/query.js";
import { postgresEngineOfFile, sqliteEngine } from "../support/sql-engines.js";

// One store operation, both engines (src/store/sql/): the same generator run by the SQLite runner
// (synchronously) and the PostgreSQL runner gives the same values, and a failed transaction leaves
// nothing behind on either.

function* roundTrip(d: { textList(p?: string): string }): Sql<unknown> {
  yield* run(`INSERT INTO services (id, name) VALUES (?, ?), (?, ?)`, ["b-svc", "B", "a-svc", "A"]);
  const rows = yield* all<{ id: string; name: string }>(`SELECT id, name FROM services ORDER BY id`);
  const one = yield* get<{ n: number }>(`SELECT count(*) AS n FROM services WHERE id IN (${d.textList()})`, [JSON.stringify(["a-svc", "zz"])]);
  const ids = yield* column<string>(`SELECT id FROM services WHERE name = @name OR id = @name ORDER BY id`, { name: "B" });
  const missing = yield* value<string>(`SELECT id FROM services WHERE id = ?`, ["nope"]);
  const changed = yield* run(`UPDATE services SET name = name || '!' WHERE id <> ?`, ["x"]);
  return { rows, one, ids, missing, changed };
}

function* failsHalfway(): Sql<void> {
  yield* run(`INSERT INTO services (id, name) VALUES ('kept-out', 'K')`);
  yield* run(`INSERT INTO services (id, name) VALUES ('kept-out', 'K again')`);
}

describe("store operations on both engines", () => {
  const postgresOf = postgresEngineOfFile();

  it("numbers ? and @name placeholders, leaving literals alone", () => {
    expect(numberPlaceholders(`SELECT '?', "@x" FROM t WHERE a = ? AND b = ?`).text).toBe(`SELECT '?', "@x" FROM t WHERE a = $1 AND b = $2`);
    expect(numberPlaceholders(`WHERE a = @a OR b = @b OR c = @a`)).toEqual({ text: `WHERE a = $1 OR b = $2 OR c = $1`, names: ["a", "b"] });
    expect(() => numberPlaceholders(`a = ? AND b = @b`)).toThrow(/mixes/);
  });

  it("gives the same results on SQLite and PostgreSQL", async () => {
    const sqlite = sqliteEngine();
    const expected = { rows: [{ id: "a-svc", name: "A" }, { id: "b-svc", name: "B" }], one: { n: 1 }, ids: ["b-svc"], missing: undefined, changed: { changes: 2 } };
    expect(sqlite.runner.transaction(roundTrip(sqlite.dialect))).toEqual(expected);
    await postgresOf().truncate();
    expect(await postgresOf().runner.transaction(roundTrip(postgresOf().dialect))).toEqual(expected);
  });

  it("rolls a failed transaction back whole on both", async () => {
    const sqlite = sqliteEngine();
    expect(() => sqlite.runner.transaction(failsHalfway())).toThrow(/UNIQUE/);
    expect(sqlite.db.prepare(`SELECT count(*) AS n FROM services WHERE id = 'kept-out'`).get()).toEqual({ n: 0 });
    await postgresOf().truncate();
    await expect(postgresOf().runner.transaction(failsHalfway())).rejects.toThrow(/duplicate key/);
    expect(await postgresOf().runner.run(value<number>(`SELECT count(*) FROM services WHERE id = 'kept-out'`))).toBe(0);
  });
});
