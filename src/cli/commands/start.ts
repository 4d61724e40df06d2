import { requireSlackSettings } from "../../config/env.js";
import { createLogger } from "../../log.js";
import { buildDeps, productionStartOptions, startApp } from "../../main.js";
import { COMMON_HELP, type CliCommand } from "../context.js";

export const startCommand: CliCommand = {
  name: "start",
  summary: "run the Slack app, the scheduled jobs and the HTTP server (health, webhooks)",
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

Stops cleanly on SIGINT / SIGTERM.

${COMMON_HELP}`,
  options: {},
  allowPositionals: false,
  async run(ctx) {
    // Fail before opening anything when Slack settings are missing (names only, never values).
    requireSlackSettings(ctx.env);
    const logger = createLogger(ctx.env.LOG_LEVEL);
    const store = ctx.openStore();
    const deps = buildDeps(ctx.env, { config: ctx.config(), store, logger, now: ctx.now });
    const running = await startApp(deps, productionStartOptions(deps));
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGINT", () => resolve("SIGINT"));
      process.once("SIGTERM", () => resolve("SIGTERM"));
    });
    logger.info({ signal }, "stopping");
    await running.stop();
    store.close();
    return 0;
  },
};
