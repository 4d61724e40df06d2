import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// The whole suite runs on SQLite; the store and end-to-end tests run again on PostgreSQL (issue 19):
// the real server named by TEST_DATABASE_URL, else PGlite in-process (test/support/postgres.ts).
// Those files pick their store by VITALS_TEST_ENGINE (test/support/test-store.ts).
const POSTGRES_TOO = [
  "test/e2e/download-rows.test.ts",
  "test/e2e/interactions.test.ts",
  "test/e2e/kpi.test.ts",
  "test/e2e/read-side-start.test.ts",
  "test/store/alerts.test.ts",
  "test/store/links.test.ts",
  "test/store/reviews.test.ts",
  "test/store/store.test.ts",
];

export default defineConfig({
  test: {
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // better-sqlite3 is a native addon: forks keep each test file in its own process.
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: one on a 2-core CI machine. The files
    // mostly wait (on PostgreSQL, child processes, fake servers, simulated clocks), so two overlap
    // well there: 4.7 min instead of 8.2 for the suite.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: "sqlite", include: ["test/**/*.test.ts"] } },
      { extends: true, test: { name: "postgres", include: POSTGRES_TOO, env: { VITALS_TEST_ENGINE: "postgres" } } },
    ],
  },
});
