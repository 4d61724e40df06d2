import { requireSlackSettings } from "../../config/env.js";
import { createLogger } from "../../log.js";
import { replicaLeadership } from "../../app/leadership.js";
import { withStoredSettings } from "../../app/root.js";
import { productionStartOptions, SlackRefusedError, startApp } from "../../app/start.js";
import { parseSimulatedClock, simulatedNow } from "../../jobs/simulated-clock.js";
import { COMMON_HELP, UsageError, type CliCommand } from "../context.js";

export const startCommand: CliCommand = {
  name: "start",
  help: `Usage: vitals start [options]     (= npm start)

Runs Vitals: the Slack app (/kpi, App Home, buttons), the scheduled jobs (weekly digests, threshold
alerts, review reminders) and one HTTP server on PORT (default 3000) with GET /healthz and the
webhook routes.

Slack connection:
  SLACK_BOT_TOKEN       bot token (xoxb-…), required
  SLACK_SIGNING_SECRET  verifies requests from Slack, required
  SLACK_APP_TOKEN       app-level token (xapp-…): Socket Mode, no public URL needed. Without it,
                        Slack sends requests to POST /slack/events on PORT (HTTP mode).
  SLACK_API_URL         Web API base for GovSlack or a test server (default https://slack.com/api)
  VITALS_ADMINS         Slack user ids allowed to run admin commands (besides workspace admins)

Replicas: with DATABASE_URL (PostgreSQL) several \`vitals start\` may share the database. Each answers
Slack, the webhooks and the APIs; one, the leader, runs the scheduled jobs, and another takes over
when it stops or dies (GET /healthz says which leads).

Stops cleanly on SIGINT / SIGTERM (a leader hands over at once).

Simulated clock, for rehearsals and tests only (off by default: real time):
  --clock-from ISO        simulated time at the start, e.g. 2026-05-03T12:00:00Z
  --clock-step DURATION   simulated time per tick: 30s, 15m, 1h, 1d …
  --tick-ms N             real milliseconds per tick (at least 50); the scheduled jobs tick at this
                          interval instead of each minute
  --clock-started-at ISO  the real moment the simulated clock starts (default: now). Give every
                          replica the same value and they agree on "now": simulated now =
                          from + floor((real now − started-at) / tick-ms) × step
  Example, a week in about 34 s: --clock-from 2026-05-03T12:00:00Z --clock-step 1h --tick-ms 200

${COMMON_HELP}`,
  options: {
    "clock-from": { type: "string" },
    "clock-step": { type: "string" },
    "tick-ms": { type: "string" },
    "clock-started-at": { type: "string" },
  },
  allowPositionals: false,
  async run(ctx) {
    // Fail before opening anything when Slack settings are missing (names only, never values).
    requireSlackSettings(ctx.env);
    const flag = (name: string) => (typeof ctx.values[name] === "string" ? (ctx.values[name] as string) : undefined);
    const clock = parseSimulatedClock({ from: flag("clock-from"), step: flag("clock-step"), tickMs: flag("tick-ms"), startedAt: flag("clock-started-at") }, Date.now());
    if (clock && typeof ctx.values.now === "string") throw new UsageError("--now and --clock-from exclude each other: --now fixes the clock, --clock-from makes it run fast");
    const now = clock ? () => simulatedNow(clock, Date.now()) : ctx.now;
    // Signals are handled from the first moment: a start still waiting for Slack stops cleanly too.
    const stop = new AbortController();
    let signal: NodeJS.Signals | undefined;
    const onSignal = (name: NodeJS.Signals) => {
      signal ??= name;
      stop.abort();
    };
    const onInt = () => onSignal("SIGINT");
    const onTerm = () => onSignal("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    const logger = createLogger(ctx.env.LOG_LEVEL);
    if (clock) logger.warn({ clockFrom: new Date(clock.fromMs).toISOString(), stepMs: clock.stepMs, tickMs: clock.tickMs, startedAt: new Date(clock.startedAtMs).toISOString() }, "simulated clock: a rehearsal, not real time");
    const store = await ctx.openStore();
    try {
      const deps = await withStoredSettings({ store, config: ctx.config(), env: ctx.env, logger, now });
      let running;
      try {
        // Stopping the app releases the leadership (SIGTERM: another replica leads within one retry).
        running = await startApp(deps, { ...productionStartOptions(deps, undefined, clock ? { tickMs: clock.tickMs } : {}), leadership: replicaLeadership(ctx.env, logger), signal: stop.signal });
      } catch (error) {
        if (error instanceof SlackRefusedError) {
          ctx.io.stderr(`vitals start: ${error.message}\n`);
          return 1;
        }
        if ((error as Error).name === "AbortError" && signal) {
          logger.info({ signal }, "stopped before Slack was reached");
          return 0;
        }
        throw error;
      }
      if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
      logger.info({ signal }, "stopping");
      await running.stop();
      return 0;
    } finally {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      await store.close();
    }
  },
};
