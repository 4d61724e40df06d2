/**
 * A problem the user can fix in their settings or input. The CLI and the app print `message` and
 * each problem on its own line and exit with code 2; there is never a stack trace for these.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[]) {
    super(problems.length > 0 ? `${message}:\n  ${problems.join("\n  ")}` : message);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Bad input (a file, a request body, a command argument): same handling as ConfigError. */
export class InputError extends ConfigError {
  constructor(message: string, problems: readonly string[] = []) {
    super(message, problems);
    this.name = "InputError";
  }
}
