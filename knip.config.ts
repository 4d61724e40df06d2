import type { KnipConfig } from "knip";

// Unused files, exports and dependencies (issue 12 item 6); `npm run knip`, run by .ci/run after lint.
const config: KnipConfig = {
  entry: ["bin/*.js", "src/cli/**/*.ts", "scripts/*.mjs", "bench/*.ts", "test/**/*.ts"],
  project: ["src/**/*.ts", "bin/**/*.js", "scripts/**/*.mjs", "bench/**/*.ts", "test/**/*.ts"],
  // The PagerDuty fake's TLS certificate is made with the system's openssl, not a package.
  ignoreBinaries: ["openssl"],
};

export default config;
