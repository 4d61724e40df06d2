import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
    // The layering of STYLE.md: pure rooms import no I/O.
    files: ["src/metrics/**/*.ts", "src/present/**/*.ts", "src/query/parse*.ts", "src/domain/**/*.ts"],
    rules: {
      // typescript-eslint's form of the rule: the metrics may import the store's row types (type only).
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            // The store's types only (its row and reads types): a metric module's read goes through the
            // reads passed in (docs/architecture.md layer order: metrics → store, import type only).
            { group: ["**/store/**"], allowTypeImports: true, message: "pure modules import no I/O (STYLE.md); `import type` from the store is allowed" },
            { group: ["**/slack/**", "**/sources/**", "**/jobs/**", "**/http/**", "**/cli/**"], message: "pure modules import no I/O (STYLE.md)" },
            { group: ["better-sqlite3", "@slack/*", "@octokit/*", "@pagerduty/*", "node-cron", "node:fs", "node:http", "node:https"], message: "pure modules import no I/O (STYLE.md)" },
          ],
        },
      ],
    },
  },
);
