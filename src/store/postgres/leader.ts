import pg from "pg";
import { connectionConfig } from "./pool.js";

/**
 * Which replica runs the scheduler (syncs, digests, alerts, reminders) when several `vitals start`
 * share one PostgreSQL database (issue 19). Every replica answers Slack, webhooks and the APIs; exactly
 * one leads, by holding `pg_try_advisory_lock(SCHEDULER_LOCK_KEY)` on a dedicated connection, not a
 * pooled one: a session-level advisory lock belongs to the connection, and a pool would hand that
 * connection to other work or close it while idle.
 *
 * - A follower tries the lock every `retryMs`.
 * - The leader runs `SELECT 1` every `heartbeatMs`, bounded by `heartbeatTimeoutMs` (statement timeout
 *   on the server, read timeout on the client). On any error, or as soon as the connection reports an
 *   error or closes, it reports `lost` (onFollow("lost")) at once, so the caller stops its jobs, closes
 *   that connection and tries again no sooner than `retryMs` later, on a new one.
 * - `release()` unlocks and closes (a clean shutdown hands over within one retryMs).
 *
 * Takeover bound, i.e. how long after the leader dies another replica leads (`takeoverBoundMs`):
 * - The process dies (crash, OOM, SIGKILL, rolling update) or its backend is terminated: the kernel
 *   closes the socket, PostgreSQL ends the backend and frees the lock at once, and a follower takes it
 *   at its next try: within `retryMs` (5 s with the defaults).
 * - The host or network vanishes without closing the socket: PostgreSQL frees the lock when its TCP
 *   keepalive gives up, which this connection sets for itself (`tcp_keepalives_idle` + `_interval` ×
 *   `_count`, and `tcp_user_timeout`): 5 + 2 × 3 = 11 s with the defaults, so another replica leads
 *   within 11 + 5 = 16 s. The old leader's heartbeat fails within `heartbeatMs + heartbeatTimeoutMs`
 *   (7 s), before the server can free its lock, so it has stopped its jobs by then; the options are
 *   refused unless that order holds.
 * Leadership keeps two replicas from running the same schedule; it is not what makes work happen
 * once. Between PostgreSQL freeing a terminated backend's lock and that leader reading the close there
 * is a moment of overlap, so the jobs still claim their work in the database (digest weeks, alert
 * states, reminders).
 * Connect the leader directly or through session pooling: a transaction-pooling PgBouncer gives each
 * statement any server connection, and an advisory lock there means nothing.
 */

/** The one lock key for "runs the scheduler": "VITALS" in ASCII, then 1. Advisory keys are per database. */
export const SCHEDULER_LOCK_KEY = 0x564954414c530001n;

/** Why this replica does not lead: another holds the lock, the server cannot be reached, it lost it, or released it. */
export type FollowReason = "held-elsewhere" | "unreachable" | "lost" | "released";

interface ServerKeepalive {
  readonly idleS: number;
  readonly intervalS: number;
  readonly count: number;
}

export interface LeaderTimings {
  readonly retryMs: number;
  readonly heartbeatMs: number;
  readonly heartbeatTimeoutMs: number;
  /** How soon PostgreSQL gives up on this connection when it goes silent (frees the lock). */
  readonly serverKeepalive: ServerKeepalive;
}

export const DEFAULT_LEADER_TIMINGS: LeaderTimings = {
  retryMs: 5_000,
  heartbeatMs: 5_000,
  heartbeatTimeoutMs: 2_000,
  serverKeepalive: { idleS: 5, intervalS: 2, count: 3 },
};

interface LeaderOptions extends LeaderTimings {
  readonly url: string;
  /** Called when this replica starts to lead: start the scheduler. */
  readonly onLead: () => void;
  /**
   * Called when this replica does not lead, each time the reason changes, and always on `lost` and
   * `released`: stop the scheduler. A callback that throws ends the election loop as an unhandled
   * rejection, which stops the process and so frees the lock.
   */
  readonly onFollow: (reason: FollowReason, error?: Error) => void;
  readonly key?: bigint;
  /** pg_stat_activity's name for this connection. */
  readonly applicationName?: string;
}

export interface Leadership {
  /** For /healthz: does this replica run the scheduler now? */
  isLeader(): boolean;
  /** Stop contending; if leading, unlock and close. Resolves when the connection is closed. */
  release(): Promise<void>;
}

function keepaliveMs(k: ServerKeepalive): number {
  return (k.idleS + k.intervalS * k.count) * 1000;
}

/** The longest time from the leader's death to another replica leading, for these timings. */
export function takeoverBoundMs(timings: LeaderTimings): number {
  return keepaliveMs(timings.serverKeepalive) + timings.retryMs;
}

function checkTimings(t: LeaderTimings): void {
  for (const [name, value] of Object.entries({ retryMs: t.retryMs, heartbeatMs: t.heartbeatMs, heartbeatTimeoutMs: t.heartbeatTimeoutMs })) {
    if (!(Number.isInteger(value) && value > 0)) throw new Error(`leader ${name} must be a positive whole number of ms`);
  }
  const k = t.serverKeepalive;
  if (![k.idleS, k.intervalS, k.count].every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error("leader serverKeepalive values must be whole numbers ≥ 1 (PostgreSQL sets them in seconds)");
  }
  if (t.heartbeatMs + t.heartbeatTimeoutMs >= keepaliveMs(k)) {
    // Otherwise the server could free a silent leader's lock before that leader notices it lost it.
    throw new Error("leader heartbeatMs + heartbeatTimeoutMs must be shorter than the server keepalive");
  }
}

/**
 * A polite close (Terminate, so the server frees the lock at once), but on a silent network that
 * message never arrives: after `ms` the socket is destroyed and the server's keepalive frees the lock.
 */
async function closeWithin(client: pg.Client, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ended = client.end().then(
    () => "ended" as const,
    () => "ended" as const,
  );
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ms);
  });
  if ((await Promise.race([ended, late])) === "late") client.connection.stream.destroy();
  clearTimeout(timer);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function startLeaderElection(options: LeaderOptions): Leadership {
  checkTimings(options);
  const key = String(options.key ?? SCHEDULER_LOCK_KEY);
  const k = options.serverKeepalive;
  const config = connectionConfig(options.url, {
    applicationName: options.applicationName ?? "vitals-leader",
    connectTimeoutMs: Math.max(options.heartbeatTimeoutMs, 1_000),
    statementTimeoutMs: options.heartbeatTimeoutMs,
    keepAliveInitialDelayMs: k.idleS * 1000,
    serverOptions: [
      `-c tcp_keepalives_idle=${k.idleS}`,
      `-c tcp_keepalives_interval=${k.intervalS}`,
      `-c tcp_keepalives_count=${k.count}`,
      `-c tcp_user_timeout=${keepaliveMs(k)}`,
    ].join(" "),
  });

  let client: pg.Client | undefined;
  let leading = false;
  let stopped = false;
  let lastReason: FollowReason | undefined;
  let backoffUntil = 0;
  let wake: (() => void) | undefined;

  function follow(reason: FollowReason, error?: Error): void {
    if (reason === lastReason && reason !== "lost") return; // a follower retrying is not news
    lastReason = reason;
    options.onFollow(reason, error);
  }

  function lose(error: Error): void {
    if (!leading) return;
    leading = false;
    backoffUntil = Date.now() + options.retryMs;
    follow("lost", error);
  }

  function drop(): Promise<void> {
    const closing = client;
    client = undefined;
    return closing ? closeWithin(closing, options.heartbeatTimeoutMs) : Promise.resolve();
  }

  async function connect(): Promise<pg.Client> {
    const fresh = new pg.Client(config);
    // The server ending the backend (failover, pg_terminate_backend) arrives here before any heartbeat.
    const gone = (error: Error) => {
      if (client !== fresh) return;
      void drop();
      lose(error);
    };
    fresh.on("error", gone);
    fresh.on("end", () => gone(new Error("the leadership connection closed")));
    try {
      await fresh.connect();
    } catch (error) {
      await closeWithin(fresh, options.heartbeatTimeoutMs);
      throw error;
    }
    return fresh;
  }

  /** One turn of the loop; returns how long to wait before the next. */
  async function step(): Promise<number> {
    if (leading && client) {
      try {
        await client.query("SELECT 1");
        return options.heartbeatMs;
      } catch (error) {
        lose(asError(error));
        await drop();
        return options.retryMs;
      }
    }
    const backoff = backoffUntil - Date.now();
    if (backoff > 0) return backoff;
    try {
      client ??= await connect();
      const result = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS locked", [key]);
      if (stopped) return 0; // release() closes the connection, which frees a lock just taken
      if (result.rows[0]?.locked === true) {
        leading = true;
        lastReason = undefined;
        options.onLead();
        return options.heartbeatMs;
      }
      follow("held-elsewhere");
    } catch (error) {
      await drop();
      if (!stopped) follow("unreachable", asError(error));
    }
    return options.retryMs;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  const loop = (async () => {
    while (!stopped) {
      const waitMs = await step();
      if (!stopped) await sleep(waitMs);
    }
  })();

  return {
    isLeader: () => leading,
    async release() {
      stopped = true;
      wake?.();
      await loop;
      const wasLeading = leading;
      leading = false;
      const closing = client;
      client = undefined;
      if (closing && wasLeading) await closing.query("SELECT pg_advisory_unlock($1::bigint)", [key]).catch(() => undefined);
      if (closing) await closeWithin(closing, options.heartbeatTimeoutMs);
      if (wasLeading) follow("released");
    },
  };
}
