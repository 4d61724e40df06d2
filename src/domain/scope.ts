/** What a question is about: the whole organisation, a team (its services pooled), or one service. */
export type Scope =
  | { readonly kind: "org"; readonly id: null }
  | { readonly kind: "team"; readonly id: string }
  | { readonly kind: "service"; readonly id: string };

export const ORG: Scope = { kind: "org", id: null };

export function scopeLabel(scope: Scope): string {
  return scope.kind === "org" ? "the organisation" : `${scope.kind} ${scope.id}`;
}

/** Half-open time window [fromMs, toMs) in UTC epoch milliseconds. */
export interface Window {
  readonly fromMs: number;
  readonly toMs: number;
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export function windowDays(window: Window): number {
  return (window.toMs - window.fromMs) / DAY_MS;
}

/** The window of equal length that ends where this one starts (docs/metrics.md: trends). */
export function previousWindow(window: Window): Window {
  const length = window.toMs - window.fromMs;
  return { fromMs: window.fromMs - length, toMs: window.fromMs };
}
