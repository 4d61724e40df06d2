import type { Logger } from "../log.js";
import type { Contention, ReplicaLeadership } from "./leadership.js";

// The scheduled jobs run only while this replica leads (issue 19): started when it becomes leader,
// stopped as soon as it does not. Changes are applied one at a time, in order, so a quick
// lose-and-regain never has two schedulers at once: the new one starts after the old one's runs in
// progress have finished (their effects are claimed in the database besides).
//
// A replica killed between claiming work and posting it leaves its claim unposted. The jobs
// themselves give such claims back at the start of each run (runDigests, runAlerts, the reviews'
// and confirmations' runs, with src/domain/claims.ts), not this module at the moment of taking over:
// the old leader's run in progress still finishes (posts) what it claimed after losing the lock,
// so a release on taking over would have to wait out that run anyway, and a claim that old leader
// takes after the takeover, or one a previous SQLite process left, would be missed.

export interface JobsHandle {
  stop(): Promise<void>;
  /** Run after a sync (threshold evaluation, reviews). */
  afterSync?(): Promise<void>;
}

export interface LeaderJobs {
  /** Does this replica lead now (for /healthz and for every job run's own check)? */
  leads(): boolean;
  /** Whether the jobs are started (for tests and logs: they follow `leads()` one change behind at most). */
  running(): boolean;
  /** The running jobs' after-sync work; a follower has none (the leader's own schedule evaluates). */
  afterSync(): Promise<void>;
  /** Stop the jobs (their runs in progress finish), then release the leadership. */
  stop(): Promise<void>;
}

/**
 * Contend for leadership and keep the jobs started exactly while leading. Resolves once the first
 * state is applied: an error starting the jobs then rejects (as it did before there were replicas);
 * later errors are logged and the next change tries again.
 */
export async function leaderJobs(leadership: ReplicaLeadership, start: (leads: () => boolean) => JobsHandle | Promise<JobsHandle>, logger: Logger): Promise<LeaderJobs> {
  let current: JobsHandle | undefined;
  let stopping = false;
  let applied: Promise<void> = Promise.resolve();
  const leads = () => !stopping && contention.isLeader();

  // Each change is applied as it was reported, in order: a loss stops the jobs even when leadership
  // came back before the stop ran (another replica may have led meanwhile), and a start waits for it.
  const apply = async (leading: boolean) => {
    if (leading && !current && leads()) {
      current = await start(leads);
    } else if (!leading && current) {
      const stopped = current;
      current = undefined;
      await stopped.stop();
      if (!stopping) logger.info("scheduled jobs stopped: this replica no longer leads");
    }
  };
  const reconcile = (leading: boolean): Promise<void> => {
    const step = applied.then(() => apply(leading));
    applied = step.catch(() => undefined);
    return step;
  };

  const contention: Contention = leadership.contend(() => {
    reconcile(contention.isLeader()).catch((error: unknown) => logger.error({ err: error }, "starting or stopping the scheduled jobs failed; the next leadership change tries again"));
  });
  try {
    await reconcile(leads());
  } catch (error) {
    await contention.release();
    throw error;
  }

  return {
    leads,
    running: () => current !== undefined,
    afterSync: async () => {
      await current?.afterSync?.();
    },
    async stop() {
      stopping = true;
      try {
        await reconcile(false);
      } finally {
        await contention.release();
      }
    },
  };
}
