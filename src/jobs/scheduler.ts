import cron, { type ScheduledTask } from "node-cron";
import type { AppDeps } from "../app-deps.js";
import { runAlerts } from "../alerts/actions.js";
import { runDigests, type JobContext } from "./digest.js";
import type { KpiEngine } from "../query/engine.js";
import { runLinkConfirmations } from "../confirmations/actions.js";
import { runReviews } from "../reviews/reminders.js";
import type { SlackClient } from "../sources/slack/calls.js";
import { syncRunner } from "./syncs.js";
import type { SyncSource } from "../sources/types.js";

// node-cron wiring. Every job ticks each minute and asks a pure function whether anything is due
// (digest time in the team's zone, reminder in working hours, alert interval), so a restart, a
// missed tick or a DST change only shifts work to the next minute, never repeats it: the store
// remembers what was done. `noOverlap` keeps a slow run from overlapping itself; a failing run
// is logged and the next tick tries again.
//
// With several replicas on one PostgreSQL database only the leader runs this scheduler (issue 19,
// src/app/leader-jobs.ts). Stopping it on a lost leadership destroys the tasks, but a tick already
// fired, a queued after-sync run or the rest of the start-up runs would still start: each run asks
// `leads()` first, so a stale one does nothing.

export interface SchedulerOptions {
  /** The KPI engine the digests and alerts ask (the composition root passes the real one, src/app/engines.ts). */
  readonly engine: KpiEngine;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Pulled sources to sync at their configured intervals (default: none). */
  readonly syncSources?: readonly SyncSource[];
  /** After a sync that changed data, besides alerts and reviews (e.g. refresh App Home tabs). */
  readonly onSynced?: () => Promise<void>;
  /** A scheduled sync of a source failed (counted by the Prometheus exporter). */
  readonly onSyncError?: (source: string, failures: number) => void;
  /** Whether this replica leads now, asked at the start of every run (default: always). */
  readonly leads?: () => boolean;
  /**
   * Tick every this many real milliseconds instead of each minute (the simulated clock of a
   * rehearsal, src/jobs/simulated-clock.ts: deps.now() then moves one step per tick).
   */
  readonly tickMs?: number;
}

export type StopScheduler = () => Promise<void>;

const alwaysLeads = () => true;

/** One job's run with logging, unless this replica no longer leads; never throws (the app must outlive a failing job). */
async function runJob(deps: AppDeps, leads: () => boolean, name: string, run: (nowMs: number) => Promise<unknown>): Promise<void> {
  if (!leads()) {
    deps.logger.debug({ job: name }, "scheduled job skipped: this replica does not lead");
    return;
  }
  const nowMs = deps.now();
  try {
    await run(nowMs);
  } catch (error) {
    deps.logger.error({ err: error, job: name }, "scheduled job failed; retrying on the next tick");
  }
}

export interface JobRunners {
  /** A digest run, unless one is in progress. */
  digests(): Promise<void>;
  /** A review run (open + remind), unless one is in progress. */
  reviews(): Promise<void>;
  /** Link confirmation messages and their one reminder, unless a run is in progress. */
  confirmations(): Promise<void>;
  /** Evaluate thresholds now (also after each sync). */
  alerts(): Promise<void>;
  /** Alerts, if `alerts.evaluate_every_minutes` has passed since the last evaluation. */
  alertsIfDue(): Promise<void>;
  /** What a finished sync should trigger: threshold evaluation and opening reviews for resolved incidents. */
  afterSync(): Promise<void>;
}

/**
 * One job's runs, one at a time: the start-up run, the cron ticks and the after-sync run never
 * overlap (two alert runs reading the same state would both post the breach). A tick finding the
 * job busy is skipped (node-cron's `noOverlap` only knows its own runs); an explicit run queues.
 */
function serialised(run: () => Promise<void>): { queue(): Promise<void>; tickIfIdle(): Promise<void> } {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  const queue = () => {
    pending++;
    tail = tail.then(run).finally(() => {
      pending--;
    });
    return tail;
  };
  return { queue, tickIfIdle: () => (pending > 0 ? Promise.resolve() : queue()) };
}

export function jobRunners(deps: AppDeps, slack: SlackClient, options: SchedulerOptions): JobRunners {
  const ctx: JobContext = { deps, slack, engine: options.engine, ...(options.sleep ? { sleep: options.sleep } : {}) };
  const leads = options.leads ?? alwaysLeads;
  let lastAlertsAtMs: number | undefined;
  const digests = serialised(() => runJob(deps, leads, "digests", (now) => runDigests(ctx, now)));
  const reviews = serialised(() => runJob(deps, leads, "reviews", (now) => runReviews(ctx, now)));
  const confirmations = serialised(() => runJob(deps, leads, "link-confirmations", (now) => runLinkConfirmations(ctx, now)));
  const alerts = serialised(() =>
    runJob(deps, leads, "alerts", async (now) => {
      lastAlertsAtMs = now;
      await runAlerts(ctx, now);
    }),
  );
  return {
    digests: () => digests.tickIfIdle(),
    reviews: () => reviews.tickIfIdle(),
    confirmations: () => confirmations.tickIfIdle(),
    alerts: () => alerts.queue(),
    alertsIfDue: async () => {
      const every = deps.config.alerts.evaluate_every_minutes * 60_000;
      if (lastAlertsAtMs !== undefined && deps.now() - lastAlertsAtMs < every) return;
      await alerts.tickIfIdle();
    },
    afterSync: async () => {
      await alerts.queue();
      await reviews.queue();
      await confirmations.queue();
    },
  };
}

/**
 * Start the digest, alert and review jobs; runs each once at start-up (a digest missed while the
 * app was down goes out now, if still in its week). Resolves the returned stop function's promise
 * once the tasks are destroyed.
 */
export function startScheduler(deps: AppDeps, slack: SlackClient, options: SchedulerOptions): StopScheduler & { runners: JobRunners; ready: Promise<void> } {
  const runners = jobRunners(deps, slack, options);
  const tasks: Pick<ScheduledTask, "name" | "destroy">[] = [];
  const log = deps.logger.child({ component: "node-cron" });
  // node-cron logs to the console by default; its warnings (e.g. a missed tick after the host slept) go to our logs.
  const cronLogger = {
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string | Error, err?: Error) => log.error({ err: err ?? message }, String(message)),
    debug: (message: string | Error) => log.debug(String(message)),
  };
  const every = (name: string, fn: () => Promise<void>) => {
    if (options.tickMs !== undefined) {
      // A rehearsal's ticks: a run still busy skips the tick, as cron's noOverlap would.
      let busy = false;
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        void fn().finally(() => {
          busy = false;
        });
      }, options.tickMs);
      tasks.push({ name: `vitals-${name}`, destroy: () => clearInterval(timer) });
      return;
    }
    tasks.push(cron.schedule("* * * * *", () => fn(), { name: `vitals-${name}`, noOverlap: true, timezone: "UTC", logger: cronLogger }));
  };
  // The start-up's alert run comes after its digests (slow: charts); a minute's tick meanwhile would
  // evaluate the thresholds once more right before it. Ticks evaluate once the start-up's run is queued.
  let startupAlertsQueued = false;
  const ready = (async () => {
    await runners.digests();
    const startupAlerts = runners.alerts();
    startupAlertsQueued = true;
    await startupAlerts;
    await runners.reviews();
    await runners.confirmations();
  })();
  every("digests", runners.digests);
  every("alerts", () => (startupAlertsQueued ? runners.alertsIfDue() : Promise.resolve()));
  every("reviews", runners.reviews);
  every("link-confirmations", runners.confirmations);
  if (options.syncSources && options.syncSources.length > 0) {
    const syncs = syncRunner(deps, {
      sources: options.syncSources,
      ...(options.onSyncError ? { onSyncError: options.onSyncError } : {}),
      onChanged: async () => {
        await runners.afterSync();
        await options.onSynced?.();
      },
    });
    // One sync pass at a time; the first starts now, without waiting for the start-up job runs.
    let syncing = false;
    const leads = options.leads ?? alwaysLeads;
    const syncOnce = async (): Promise<void> => {
      if (syncing || !leads()) return;
      syncing = true;
      try {
        await syncs.tick();
      } finally {
        syncing = false;
      }
    };
    every("syncs", syncOnce);
    void syncOnce();
  }
  deps.logger.info({ jobs: tasks.map((t) => t.name) }, "scheduler started");
  const stop = async () => {
    for (const task of tasks) await task.destroy();
    await ready;
  };
  return Object.assign(stop, { runners, ready });
}
