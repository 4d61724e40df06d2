import type { App } from "@slack/bolt";
import { logWithErrorId } from "../errors.js";
import type { SlackRuntime } from "../runtime.js";
import { publishHome } from "./publish-home.js";

// app_home_opened: refresh the dashboard each time the Home tab is opened.
// https://docs.slack.dev/reference/events/app_home_opened

export function registerHome(app: App, runtime: SlackRuntime): void {
  app.event("app_home_opened", async ({ event, client }) => {
    if (event.tab !== "home") return;
    try {
      runtime.deps.store.slack.recordHomeOpened(event.user, runtime.deps.now());
      await publishHome(client, runtime, event.user);
    } catch (error) {
      logWithErrorId(runtime.deps, error, { event: "app_home_opened", userId: event.user });
    }
  });
}
