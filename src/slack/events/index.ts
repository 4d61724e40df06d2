import type { ListenerApp } from "../listener.js";
import type { SlackRuntime } from "../runtime.js";
import { publishHome } from "../views/home.js";

// app_home_opened: refresh the dashboard each time the Home tab is opened.
// https://docs.slack.dev/reference/events/app_home_opened

export function registerHome(app: ListenerApp, runtime: SlackRuntime): void {
  app.event("app_home_opened", async ({ event, client }) => {
    if (event.tab !== "home") return;
    await runtime.deps.store.slack.recordHomeOpened(event.user, runtime.deps.now());
    await publishHome(client, runtime, event.user);
  });
}
