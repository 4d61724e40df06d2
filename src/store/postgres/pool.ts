import pg from "pg";

// Connections to PostgreSQL (issue 19), built from DATABASE_URL by the composition root. One place
// says how Vitals connects, so the pool that serves reads and writes and the scheduler's dedicated
// leadership connection (leader.ts) name themselves and detect dead peers the same way.

interface PostgresConnectionOptions {
  /** Shown in pg_stat_activity, so an operator can tell Vitals' connections (and its leader) apart. */
  readonly applicationName?: string;
  /** How long connecting may take before it fails (TCP, TLS and start-up). */
  readonly connectTimeoutMs?: number;
  /** TCP keepalive from this side: a server that vanished without closing is noticed, not waited on. */
  readonly keepAliveInitialDelayMs?: number;
  /** Server-side limit on one statement; also the client-side wait for its answer (a silent network). */
  readonly statementTimeoutMs?: number;
  /** Raw start-up `options` (e.g. `-c name=value`), for settings only this connection needs. */
  readonly serverOptions?: string;
}

const DEFAULT_APPLICATION_NAME = "vitals";
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_KEEPALIVE_DELAY_MS = 10_000;

/** The settings of one connection to `url`; the password stays inside the URL and out of logs. */
export function connectionConfig(url: string, options: PostgresConnectionOptions = {}): pg.ClientConfig {
  const config: pg.ClientConfig = {
    connectionString: url,
    application_name: options.applicationName ?? DEFAULT_APPLICATION_NAME,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: options.keepAliveInitialDelayMs ?? DEFAULT_KEEPALIVE_DELAY_MS,
  };
  if (options.statementTimeoutMs !== undefined) {
    config.statement_timeout = options.statementTimeoutMs;
    // statement_timeout needs the server to hear the statement; query_timeout also ends the wait
    // when the network drops packets silently.
    config.query_timeout = options.statementTimeoutMs;
  }
  if (options.serverOptions !== undefined) config.options = options.serverOptions;
  return config;
}

interface PostgresPoolOptions extends PostgresConnectionOptions {
  /** Most connections open at once. PGlite (tests) serves exactly one. */
  readonly max?: number;
  /** An idle connection is closed after this long. */
  readonly idleTimeoutMs?: number;
  /**
   * An idle connection failed (the server restarted, a failover, a network cut). pg emits this on the
   * pool, and an unheard 'error' event would end the process; the pool drops that connection itself.
   */
  readonly onIdleError: (error: Error) => void;
  /** How column values are parsed (the store's runner gives RUNNER_TYPES: integers as numbers). */
  readonly types?: pg.CustomTypesConfig;
}

/** The pool the store's reads and writes use. */
export function createPool(url: string, options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    ...connectionConfig(url, options),
    max: options.max ?? 10,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    ...(options.types ? { types: options.types } : {}),
  });
  pool.on("error", options.onIdleError);
  return pool;
}

/**
 * Roll back the transaction a failure left open; false when even that fails, i.e. the connection is
 * broken and the pool must close it (`client.release(true)`) instead of handing it out again.
 */
export function rollbackQuietly(client: pg.PoolClient): Promise<boolean> {
  return client.query("ROLLBACK").then(
    () => true,
    () => false,
  );
}
