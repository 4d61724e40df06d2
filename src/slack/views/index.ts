import type { ListenerApp } from "../listener.js";
import type { SlackRuntime } from "../runtime.js";
import { registerConfirmationViews } from "./confirmations.js";
import { registerReviewViews } from "./reviews.js";

// The modals' submissions (view_submission). The builders the app opens and publishes live beside
// them: the App Home (home.ts) and the error modal (error-modal.ts).

export function registerViews(app: ListenerApp, runtime: SlackRuntime): void {
  registerReviewViews(app, runtime.deps);
  registerConfirmationViews(app, runtime.deps, runtime.answerConfirmation);
}
