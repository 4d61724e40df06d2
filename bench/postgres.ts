import { randomBytes } from "node:crypto";
import pg from "pg";

// The PostgreSQL side of `vitals bench` (issue 19): a database of its own on the server the URL
// names, created for one run and dropped after it, so a bench never meets (or leaves) other data.

/** Where `npm run bench` looks for a server when no URL is given (as .ci/run does for the tests). */
export const LOCAL_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres";

interface BenchDatabase {
  /** The URL of the new database (same server, user and password as the server URL). */
  readonly url: string;
  /** host:port only: printable (the URL may carry a password). */
  readonly server: string;
  drop(): Promise<void>;
}

/** `work` on a short-lived connection to the server (CREATE/DROP DATABASE cannot run in a pool transaction). */
export async function withAdmin<T>(serverUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** True when a server answers `SELECT 1` at `url` within two seconds. */
export async function serverAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function serverOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || "5432"}`;
}

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  // A plain identifier, unique per run: two benches on one server never share a database.
  const name = `vitals_bench_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    server: serverOf(serverUrl),
    // FORCE (PostgreSQL 13+) ends a connection an interrupted run left open, so the drop cannot hang.
    drop: () => withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
