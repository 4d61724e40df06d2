import type { SettingsSource } from "../config/effective.js";

// The settings admins change from Slack (thresholds, team channels) as the effective config reads
// them: synchronously, on every `deps.config` access (src/config/effective.ts). SQLite answers that
// directly. A PostgreSQL store answers asynchronously, and another replica may have changed them,
// so the app keeps this snapshot: loaded at start, refreshed after this replica's own changes and
// every REFRESH_MS for the others' (a threshold set through one replica holds on all of them within
// that time).

type Thresholds = ReturnType<SettingsSource["thresholds"]>;
type Subscriptions = ReturnType<SettingsSource["subscriptions"]>;

/** The store's settings reads (its `slack` part), from either engine. */
export interface SettingsReads {
  thresholds(): Thresholds | Promise<Thresholds>;
  subscriptions(): Subscriptions | Promise<Subscriptions>;
}

export interface SettingsSnapshot extends SettingsSource {
  /** Read the settings again; the revision moves only when they differ. */
  refresh(): Promise<void>;
}

export const SETTINGS_REFRESH_MS = 5_000;

export async function settingsSnapshot(reads: SettingsReads): Promise<SettingsSnapshot> {
  const load = async () => ({ thresholds: await reads.thresholds(), subscriptions: await reads.subscriptions() });
  let current = await load();
  let revision = 0;
  return {
    revision: () => revision,
    thresholds: () => current.thresholds,
    subscriptions: () => current.subscriptions,
    async refresh() {
      const next = await load();
      if (JSON.stringify(next) === JSON.stringify(current)) return;
      current = next;
      revision++;
    },
  };
}
