import js from "@eslint/js";
import tseslint from "typescript-eslint";
import boundaries from "eslint-plugin-boundaries";

// The layer order of docs/architecture.md ("Layers"), issue 12 item 6. Lower layers never import higher
// ones. The first descriptor a file matches decides its layer, so the one value formatter comes before
// the rest of src/present.
const layers = [
  { type: "formatter", pattern: "src/present/format-value.ts" },
  { type: "shared", pattern: ["src/domain/**", "src/types/**"] },
  { type: "config", pattern: "src/config/**" },
  // The logger redacts the secrets src/config/env.ts names, so it sits just above config.
  { type: "log", pattern: "src/log.ts" },
  { type: "store", pattern: "src/store/**" },
  { type: "metrics", pattern: "src/metrics/**" },
  { type: "query", pattern: "src/query/**" },
  { type: "present", pattern: "src/present/**" },
  { type: "sources", pattern: "src/sources/**" },
  { type: "alerts", pattern: "src/alerts/**" },
  { type: "reviews", pattern: "src/reviews/**" },
  { type: "confirmations", pattern: "src/confirmations/**" },
  { type: "jobs", pattern: "src/jobs/**" },
  { type: "slack", pattern: "src/slack/**" },
  { type: "http", pattern: "src/http/**" },
  // AppDeps: the interface the composition root fills and the long-running parts receive. It holds
  // types only, so every layer that is handed its dependencies may `import type` it.
  { type: "deps", pattern: "src/app-deps.ts" },
  { type: "app", pattern: "src/app/**" },
  { type: "cli", pattern: "src/cli/**" },
];

// Who may value-import whom. A layer may always import itself; `typeOnly` lists what it may reach with
// `import type` alone. "formatter" is part of present: whoever may import present may import it too.
const below = ["shared", "config", "log", "store", "metrics", "query", "present", "formatter", "sources", "alerts", "reviews", "confirmations", "jobs", "slack", "http", "deps"];
// What posts to Slack or serves requests may log.
const io = ["log"];
const allowed = {
  formatter: { value: ["shared"] },
  shared: { value: [] },
  config: { value: ["shared"] },
  log: { value: ["shared", "config"] },
  store: { value: ["shared", "config"] },
  // Answers carry worded text (driver details, prompts), hence the value formatter.
  metrics: { value: ["shared", "config", "formatter"], typeOnly: ["store"] },
  query: { value: ["shared", "config", "store", "metrics", "formatter"] },
  present: { value: ["shared", "config", "metrics", "formatter"], typeOnly: ["query"] },
  sources: { value: ["shared", "config", "store", ...io], typeOnly: ["deps"] },
  // The actions post to Slack through the clients in src/sources.
  alerts: { value: ["shared", "config", "store", "metrics", "query", "present", "formatter", "sources", ...io], typeOnly: ["deps"] },
  reviews: { value: ["shared", "config", "store", "metrics", "query", "present", "formatter", "sources", ...io], typeOnly: ["deps"] },
  confirmations: { value: ["shared", "config", "store", "metrics", "query", "present", "formatter", "sources", ...io], typeOnly: ["deps"] },
  jobs: { value: ["shared", "config", "store", "metrics", "query", "present", "formatter", "sources", "alerts", "reviews", "confirmations", ...io], typeOnly: ["deps"] },
  // Slack listeners run `/kpi sync` over the sources the root built and word network failures as they do.
  slack: { value: ["shared", "config", "store", "metrics", "query", "present", "formatter", "sources", "alerts", "reviews", "confirmations", ...io], typeOnly: ["deps"] },
  http: { value: ["shared", "config", "store", "query", "present", "formatter", "sources", ...io], typeOnly: ["deps"] },
  deps: { value: [], typeOnly: ["shared", "config", "log", "store"] },
  app: { value: below },
  cli: { value: [...below, "app"] },
};

const layerPolicies = Object.entries(allowed).flatMap(([from, { value, typeOnly = [] }]) => [
  { from: { file: { categories: from } }, allow: { to: { file: { categories: [from, ...value] } } } },
  ...(typeOnly.length > 0 ? [{ from: { file: { categories: from } }, allow: { to: { file: { categories: typeOnly } }, dependency: { kind: "type" } } }] : []),
]);

// Packages that do I/O; the pure rooms (metrics, present, the parser, domain, the decide modules) import none.
const pureNoIo = {
  group: ["better-sqlite3", "@slack/*", "@octokit/*", "@gitbeaker/*", "@pagerduty/*", "node-cron", "pino", "node:fs", "node:fs/*", "node:http", "node:https", "node:net", "node:child_process"],
  message: "pure modules import no I/O (STYLE.md)",
};

export default tseslint.config(
  { ignores: ["node_modules/", "data/", "dist/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", performance: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": "error",
      eqeqeq: ["error", "smart"],
    },
  },
  {
    files: ["src/**/*.ts"],
    plugins: { boundaries },
    settings: {
      "boundaries/files": layers.map(({ type, pattern }) => ({ category: type, pattern })),
      // Imports are written as NodeNext ".js" specifiers of ".ts" files; the TypeScript resolver maps them.
      "import/resolver": { typescript: { project: "tsconfig.json" } },
    },
    rules: {
      "boundaries/dependencies": [
        "error",
        { default: "disallow", policies: layerPolicies, message: "layer {{from.file.categories}} may not {{dependency.kind}}-import layer {{to.file.categories}} (docs/architecture.md, Layers)" },
      ],
    },
  },
  {
    // The read path returns Promises (issue 19): one not awaited would answer late, or fail unseen.
    // Type-aware, so on src/ only (the type information costs a few seconds).
    files: ["src/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { "@typescript-eslint/no-floating-promises": "error", "@typescript-eslint/no-misused-promises": "error" },
  },
  {
    // Which of our folders a pure room may import is the boundaries rule's job; this one bans I/O packages.
    files: ["src/metrics/**/*.ts", "src/present/**/*.ts", "src/domain/**/*.ts", "src/alerts/decide*.ts", "src/reviews/decide*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [pureNoIo] }] },
  },
  {
    // The parser is pure inside a layer that may read the store, so it also names the folders it may not import.
    files: ["src/query/parse*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [pureNoIo, { group: ["**/store/**", "**/slack/**", "**/sources/**", "**/jobs/**", "**/http/**", "**/cli/**", "**/app/**"], message: "pure modules import no I/O (STYLE.md)" }] },
      ],
    },
  },
);
