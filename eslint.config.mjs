import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "plugins/**",
      "admin/dist/**",
      "dist/**",
      "dist-workers/**",
      ".wrangler/**",
      "coverage/**",
      "test-results/**",
      "test/plugins/fixtures/**",
      "schema/migrations/**",
      "infra-terraform/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx,mts}"],
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": "off",
      eqeqeq: ["error", "always"],
      // Hono's `c.var` builds a new object of every request variable on each access; `c.get(name)` reads one.
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[property.name='var'][object.name='c']",
          message: 'Read a request variable with c.get("name"): c.var copies all of them on every access.',
        },
      ],
    },
  },
  // Layers that lint themselves (docs/design-notes.md, "Where things go"). Type-only imports are allowed: they
  // leave nothing behind at run time.
  {
    files: ["functions/services/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [{ name: "hono", message: "Services never see Hono: take (scope, input) and throw AppErrors." }],
          patterns: [
            { group: ["hono/*", "@hono/*"], message: "Services never see Hono." },
            {
              group: ["**/routes/**", "**/middleware/**", "**/jobs/**"],
              message: "Services sit below routes, middleware and jobs.",
            },
            {
              group: ["**/site/*", "!**/site/urls"],
              allowTypeImports: true,
              message: "Services use the site's rendering only through types; URLs come from site/urls.ts.",
            },
            {
              group: ["**/shapes/*"],
              allowTypeImports: true,
              message:
                "API shapes (functions/shapes) are zod-openapi schemas for routes; services take their types only.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["functions/routes/*/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^\\.\\./(?!\\.\\.|shared/)[^/]+/",
              message: "A route folder never imports a sibling route folder; shared helpers live in routes/shared/.",
            },
            { group: ["**/jobs/**"], message: "Routes call services, not jobs." },
          ],
        },
      ],
    },
  },
  {
    files: ["functions/jobs/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [{ name: "hono", message: "Jobs run without a request." }],
          patterns: [
            {
              group: ["**/middleware/**", "**/routes/**"],
              message: "Jobs use services and the platform scope (jobs/run.ts).",
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      "functions/lib/**/*.ts",
      "functions/site/**/*.{ts,tsx}",
      "functions/contract.ts",
      "functions/processing-register.ts",
      "functions/html-policy.ts",
      "functions/image-urls.ts",
      "functions/content-types.ts",
      "functions/events.ts",
    ],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/services/**", "**/routes/**", "**/middleware/**", "**/jobs/**", "**/scope", "**/effects"],
              allowTypeImports: true,
              message: "lib/, site/ and the shared vocabulary sit below services: import their types only.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["admin/src/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "**/functions/*",
                "**/functions/**",
                "!**/functions/contract",
                "!**/functions/html-policy",
                "!**/functions/content-types",
                "!**/functions/image-urls",
              ],
              allowTypeImports: true,
              message:
                "The SPA shares only the contract, the content-type registry, the HTML allow-list (functions/html-policy.ts) and the public images' URLs (functions/image-urls.ts) with the Worker.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.{js,mjs}"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
