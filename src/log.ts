import { pino, type Logger, type DestinationStream } from "pino";
import { SECRET_SETTINGS } from "./config/env.js";

export type { Logger } from "pino";

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
