import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { withAdmin } from "../../bench/postgres.js";

// A PostgreSQL database for one test (issue 19): a fresh database on the real server named by
// TEST_DATABASE_URL (CI sets it when a local server answers), otherwise PGlite (PostgreSQL compiled to
// WebAssembly, in this process) served over the wire protocol on a free loopback port, so the same
// `pg` code runs against both and `npm test` on a laptop exercises the PostgreSQL dialect too.
//
// PGlite's limits, where they matter:
// - One backend and, here, ONE connection at a time: pglite-socket refuses a second connection while
//   the first is open (it could multiplex several onto the one session, but their transactions would
//   then interleave). Use a pool with max: 1, and run tests that need several sessions (advisory
//   locks, pg_terminate_backend, concurrent writers) only when `engine` is "postgres".
// - Start-up parameters are ignored: application_name, statement_timeout and `options` (-c …) set by
//   src/store/postgres/pool.ts take effect on the real server only.
// - It is PostgreSQL 18 in 32-bit WebAssembly; the CI server is PostgreSQL 15. Keep to SQL both have.
// - Each instance takes a few seconds to start: start one per test file (beforeAll), not per test.

export type TestEngine = "postgres" | "pglite";

export interface TestPostgres {
  /** A connection URL for `pg`; its database is this call's alone. */
  readonly url: string;
  readonly engine: TestEngine;
  /** Drop the database (real server) or stop PGlite. */
  close(): Promise<void>;
  /**
   * Resolves once a new connection would be accepted: PGlite's one slot is freed a moment after the
   * previous client (say, a CLI process that just exited) closed its socket. At once on a real server.
   */
  ready(): Promise<void>;
}

export async function startTestPostgres(env: Record<string, string | undefined> = process.env): Promise<TestPostgres> {
  const serverUrl = env.TEST_DATABASE_URL?.trim();
  return serverUrl ? freshDatabase(serverUrl) : startPglite();
}

async function freshDatabase(serverUrl: string): Promise<TestPostgres> {
  // Test files run in parallel processes: the name must be unique across them, and a plain identifier.
  const name = `vitals_test_${process.pid}_${randomBytes(6).toString("hex")}`;
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    engine: "postgres",
    ready: () => Promise.resolve(),
    // FORCE (PostgreSQL 13+) ends connections a failed test left open, so the drop cannot hang.
    close: () => withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function startPglite(): Promise<TestPostgres> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    engine: "pglite",
    ready: () => waitForSlot(`postgres://postgres@${server.getServerConn()}/postgres`),
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

async function waitForSlot(url: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      // The slot is freed when pglite-socket sees this socket close, a moment after end() resolves.
      await new Promise((resolve) => setTimeout(resolve, 25));
      return;
    } catch (error) {
      if (attempt >= 80) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
