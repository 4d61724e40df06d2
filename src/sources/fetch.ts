import { networkCause } from "./errors.js";

// The HTTP request of the sources that call fetch directly (Prometheus, SonarQube): a timeout
// joined to the caller's abort signal, and a network failure turned into the source's own error,
// naming the cause (ECONNREFUSED, ENOTFOUND, …) rather than "fetch failed".

export async function fetchWithTimeout(
  url: string,
  init: { readonly headers: Record<string, string>; readonly signal?: AbortSignal | undefined; readonly timeoutMs: number },
  unreachable: (cause: string) => Error,
): Promise<Response> {
  const timeout = AbortSignal.timeout(init.timeoutMs);
  try {
    return await fetch(url, { headers: init.headers, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  } catch (error) {
    throw unreachable(networkCause(error)?.words ?? (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
  }
}

/**
 * fetch with a deadline per request, for clients that take a fetch (Octokit). A request past its
 * deadline fails as an AbortError (what fetch throws for an aborted request): Octokit passes those
 * through instead of retrying them, so one unanswered request costs the deadline once, not per
 * retry. `code` says it was the deadline, for src/sources/errors.ts.
 */
export function fetchWithDeadline(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      return await fetch(input, { ...init, signal });
    } catch (error) {
      if (deadline.aborted) throw Object.assign(new Error(`timed out after ${timeoutMs} ms`), { name: "AbortError", code: "ETIMEDOUT", cause: error });
      throw error;
    }
  };
}
