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
    throw unreachable((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
  }
}
