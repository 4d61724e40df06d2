import { createRequire } from "node:module";
import type { DestinationStream, Logger, pino as Pino } from "pino";
import { SECRET_SETTINGS } from "./config/env.js";

export type { Logger } from "pino";

// pino (a CommonJS package of ~20 modules) is loaded when the first logger is made, not when this
// module is imported: a one-shot CLI command that logs nothing does not pay for it.
const require = createRequire(import.meta.url);
let loaded: typeof Pino | undefined;
const pino: typeof Pino = ((...args: Parameters<typeof Pino>) => (loaded ??= (require("pino") as { pino: typeof Pino }).pino)(...args)) as typeof Pino;

/**
 * JSON logs (pino). Secrets never reach a log line: settings and common credential fields are
 * redacted wherever they appear in logged objects.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const paths = [
    ...SECRET_SETTINGS.flatMap((name) => [name, `*.${name}`]),
    "token",
    "*.token",
    "authorization",
    "*.authorization",
    "headers.authorization",
    "*.headers.authorization",
    'headers["x-slack-signature"]',
    'headers["private-token"]',
    'headers["x-gitlab-token"]',
    "privateKey",
    "*.privateKey",
  ];
  return pino({ level, base: { app: "vitals" }, redact: { paths, censor: "[redacted]" } }, destination);
}

/** A logger that writes nothing, for tests and one-shot CLI commands. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
