// A small client for the SonarQube / SonarCloud Web API: GET api/measures/search_history
// (https://next.sonarqube.com/sonarqube/web_api/api/measures/search_history): per metric, the value
// at each analysis, paged with p (1-based) and ps (at most 1000). Errors come as
// { errors: [{ msg }] }. The token is sent as the basic-auth login with an empty password, which
// every SonarQube version and SonarCloud accept.
import { fetchWithTimeout } from "../fetch.js";

interface HistoryPoint {
  readonly date: string;
  readonly value?: string;
}

export interface MetricHistory {
  readonly metric: string;
  readonly history: readonly HistoryPoint[];
}

export class SonarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SonarError";
  }
}

const PAGE_SIZE = 1000;
const MAX_PAGES = 100;
const TIMEOUT_MS = 30_000;

export interface SonarClient {
  /** Every analysis of the project's metrics from `fromIso` on, all pages. */
  searchHistory(projectKey: string, metrics: readonly string[], fromIso: string): Promise<MetricHistory[]>;
  /** The project's most recent analysis, however old (two one-item pages: the count, then the last). */
  latestAnalysis(projectKey: string, metrics: readonly string[]): Promise<MetricHistory[]>;
}

export function createSonarClient(baseUrl: string, token: string | undefined, signal?: AbortSignal): SonarClient {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers["authorization"] = `Basic ${Buffer.from(`${token}:`).toString("base64")}`;

  async function page(params: Record<string, string>): Promise<{ paging?: { pageIndex: number; pageSize: number; total: number }; measures?: MetricHistory[] }> {
    const url = `${baseUrl}/api/measures/search_history?${new URLSearchParams(params).toString()}`;
    const response = await fetchWithTimeout(url, { headers, signal, timeoutMs: TIMEOUT_MS }, (cause) => new SonarError(`cannot reach SonarQube at ${baseUrl} (${cause})`));
    const text = await response.text();
    let body: { errors?: { msg?: string }[]; paging?: { pageIndex: number; pageSize: number; total: number }; measures?: MetricHistory[] } = {};
    try {
      body = text ? (JSON.parse(text) as typeof body) : {};
    } catch {
      if (response.ok) throw new SonarError(`SonarQube at ${baseUrl} answered without JSON: is SONAR_URL the server's base URL?`);
    }
    if (!response.ok) {
      const detail = body.errors?.map((e) => e.msg).filter(Boolean).join("; ");
      if (response.status === 401) throw new SonarError("SonarQube refused the credentials (401): check SONAR_TOKEN");
      if (response.status === 403) throw new SonarError(`SonarQube denied access (403): the token needs Browse permission on the project${detail ? ` (${detail})` : ""}`);
      throw new SonarError(`SonarQube answered ${response.status}${detail ? `: ${detail}` : ""}`);
    }
    return body;
  }

  return {
    async searchHistory(projectKey, metrics, fromIso) {
      const byMetric = new Map<string, HistoryPoint[]>(metrics.map((m) => [m, []]));
      for (let p = 1; p <= MAX_PAGES; p++) {
        const body = await page({ component: projectKey, metrics: metrics.join(","), from: fromIso, p: String(p), ps: String(PAGE_SIZE) });
        for (const measure of body.measures ?? []) byMetric.get(measure.metric)?.push(...measure.history);
        const paging = body.paging;
        // `total` counts analyses; each page holds up to ps of them for every metric.
        if (!paging || paging.pageIndex * paging.pageSize >= paging.total) break;
      }
      return [...byMetric].map(([metric, history]) => ({ metric, history }));
    },
    async latestAnalysis(projectKey, metrics) {
      const params = { component: projectKey, metrics: metrics.join(","), ps: "1" };
      const total = (await page({ ...params, p: "1" })).paging?.total ?? 0;
      if (total === 0) return [];
      // History is in analysis order, oldest first: page `total` of size 1 is the latest.
      return (await page({ ...params, p: String(total) })).measures ?? [];
    },
  };
}
