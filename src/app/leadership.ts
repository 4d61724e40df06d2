import { redactDatabaseUrl, type Env } from "../config/env.js";
import type { Logger } from "../log.js";
import type { Dialect } from "../store/sql/dialect.js";
import { DEFAULT_LEADER_TIMINGS, startLeaderElection, takeoverBoundMs, type LeaderTimings } from "../store/postgres/leader.js";

// Which replica runs the scheduled jobs (issue 19). Every replica answers Slack, the webhooks and the
// APIs; only the leader runs syncs, digests, alerts and reminders. On SQLite there is one process
// per database file, so it always leads; on PostgreSQL the replicas elect one by an advisory lock
// (src/store/postgres/leader.ts). startApp (src/app/start.ts) contends once Slack is reached — a
// replica that cannot post would otherwise hold the lock and run nothing — and releases when it
// stops, so the next replica leads without waiting for the lock to time out.

/** The store engine the replicas share, as /healthz reports it. */
type StoreEngine = Dialect["name"];

/** A running contention: whether this replica leads now. */
export interface Contention {
  isLeader(): boolean;
  /** Stop contending; a leader unlocks first. Resolves once nothing is held. */
  release(): Promise<void>;
}

export interface ReplicaLeadership {
  readonly store: StoreEngine;
  /** Start contending; `onChange` is called after every change (it reads `isLeader()` itself) and must not throw. */
  contend(onChange: () => void): Contention;
}

/** SQLite: one process per database file, so it leads from the start and never hands over. */
export const SOLE_PROCESS: ReplicaLeadership = {
  store: "sqlite",
  contend: () => ({ isLeader: () => true, release: () => Promise.resolve() }),
};

interface ElectionOptions {
  readonly timings?: LeaderTimings;
  /** pg_stat_activity's name for the leadership connection (tests tell replicas apart by it). */
  readonly applicationName?: string;
}

/** PostgreSQL: lead while holding the scheduler's advisory lock on `url`; every change is logged (the URL redacted). */
export function electedLeadership(url: string, logger: Logger, options: ElectionOptions = {}): ReplicaLeadership {
  const timings = options.timings ?? DEFAULT_LEADER_TIMINGS;
  const log = logger.child({ component: "leader", database: redactDatabaseUrl(url) });
  return {
    store: "postgres",
    contend(onChange) {
      log.info({ takeoverBoundMs: takeoverBoundMs(timings) }, "contending to run the scheduler");
      return startLeaderElection({
        ...timings,
        url,
        ...(options.applicationName ? { applicationName: options.applicationName } : {}),
        onLead() {
          log.info("this replica leads: it runs the scheduled jobs");
          onChange();
        },
        onFollow(reason, error) {
          // A follower retrying is not logged again (leader.ts reports a reason once); losing always is.
          const fields = { reason, ...(error ? { error: error.message } : {}) };
          if (reason === "lost" || reason === "unreachable") log.warn(fields, "this replica does not lead: it runs no scheduled jobs");
          else log.info(fields, "this replica does not lead: it runs no scheduled jobs");
          onChange();
        },
      });
    },
  };
}

/** What `vitals start` contends with: DATABASE_URL selects PostgreSQL and its election, else the SQLite file's one process. */
export function replicaLeadership(env: Env, logger: Logger): ReplicaLeadership {
  return env.DATABASE_URL ? electedLeadership(env.DATABASE_URL, logger) : SOLE_PROCESS;
}
