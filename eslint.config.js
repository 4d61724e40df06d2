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
            { group: ["**/store/**"], allowTypeImports: true, message: "pure modules import no I/O, only the store's types (STYLE.md)" },
            { group: ["**/slack/**", "**/sources/**", "**/jobs/**", "**/http/**", "**/cli/**"], message: "pure modules import no I/O (STYLE.md)" },
            { group: ["better-sqlite3", "@slack/*", "@octokit/*", "@pagerduty/*", "node-cron", "node:fs", "node:http", "node:https"], message: "pure modules import no I/O (STYLE.md)" },
          ],
        },
      ],
    },
  },
);
