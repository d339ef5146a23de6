/**
 * ESLint flat config, run from the repository root: `npm run lint`
 * (`eslint --config .ci/eslint.config.js --max-warnings 0 .`). Paths below are relative to the root.
 *
 * Besides typescript-eslint and eslint-plugin-svelte recommended rules, it enforces the shape of
 * ARCHITECTURE.md with import bans:
 * - only main/shell/**, main/index.ts and preload/index.ts may import 'electron';
 * - renderer/** never imports main/, and imports preload/ (the contract, preload/api.ts) only as `import type`;
 * - main/core/** never imports main/shell/.
 * Every file falls in exactly one "import boundary" block, because a later block replaces (not merges)
 * the options of the same rule.
 */
import { defineConfig } from 'eslint/config'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const CODE_FILES = ['**/*.{js,mjs,cjs,ts,mts,cts}', '**/*.svelte']
const ELECTRON_FILES = ['main/shell/**', 'main/index.ts', 'preload/index.ts']
const CORE_FILES = ['main/core/**']
const RENDERER_FILES = ['renderer/**']

// --- import bans, as @typescript-eslint/no-restricted-imports options ------------------------------

const electronBan = {
  paths: [
    {
      name: 'electron',
      message: "Only main/shell/**, main/index.ts and preload/index.ts may import 'electron' (the core runs under plain Node).",
    },
  ],
  patterns: [
    {
      group: ['electron/*'],
      message: "Only main/shell/**, main/index.ts and preload/index.ts may import 'electron'.",
    },
  ],
}

const shellBanForCore = {
  group: ['**/shell', '**/shell/**'],
  message: 'main/core must not import main/shell: the core is headless; the shell wires itself to the core.',
}

const mainBanForRenderer = {
  group: ['**/main', '**/main/**'],
  message: 'The renderer must not import main/: talk to the core through lib/api.ts and the contract in preload/api.ts.',
}

const preloadTypesOnlyForRenderer = {
  group: ['**/preload', '**/preload/**'],
  allowTypeImports: true,
  message: 'The renderer may only `import type` from preload/api.ts; at runtime it reaches the API via window.api.',
}

/** The same bans for dynamic import() and require(), which no-restricted-imports does not see. */
function dynamicImportBans(pattern, message) {
  return [
    { selector: `ImportExpression[source.value=${pattern}]`, message },
    { selector: `CallExpression[callee.name='require'][arguments.0.value=${pattern}]`, message },
  ]
}

const electronDynamicBan = dynamicImportBans('/^electron(\\u002F|$)/', "Only the shell may load 'electron'.")

function importBoundary(name, files, { ignores = [], patterns = [], dynamicBans = [] }) {
  return {
    name: `architecture/${name}`,
    files,
    ignores,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: electronBan.paths, patterns: [...electronBan.patterns, ...patterns] },
      ],
      'no-restricted-syntax': ['error', ...electronDynamicBan, ...dynamicBans],
    },
  }
}

export default defineConfig(
  {
    name: 'project/ignores',
    ignores: ['out/', 'dist/', 'node_modules/', 'test-output/', 'renderer/dist/'],
  },
  {
    name: 'project/linter-options',
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    name: 'project/svelte-typescript',
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    name: 'project/typescript',
    files: ['**/*.{ts,mts,cts}', '**/*.svelte'],
    rules: {
      // Underscore marks a deliberately unused parameter or binding.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },

  {
    // CommonJS files (electron-builder hooks in build/) load their dependencies with require().
    name: 'project/commonjs',
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    name: 'project/globals-node',
    files: ['main/**', 'preload/**', 'tests/**', 'build/**', '.ci/**', '*.{js,mjs,cjs,ts}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    name: 'project/globals-browser',
    files: RENDERER_FILES,
    languageOptions: { globals: { ...globals.browser } },
  },

  importBoundary('no-electron-outside-the-shell', CODE_FILES, {
    ignores: [...ELECTRON_FILES, ...CORE_FILES, ...RENDERER_FILES],
  }),
  importBoundary('headless-core', CORE_FILES, {
    patterns: [shellBanForCore],
    dynamicBans: dynamicImportBans('/(^|\\u002F)shell(\\u002F|$)/', shellBanForCore.message),
  }),
  importBoundary('renderer-through-the-contract', RENDERER_FILES, {
    patterns: [mainBanForRenderer, preloadTypesOnlyForRenderer],
    dynamicBans: [
      ...dynamicImportBans('/(^|\\u002F)main(\\u002F|$)/', mainBanForRenderer.message),
      ...dynamicImportBans('/(^|\\u002F)preload(\\u002F|$)/', preloadTypesOnlyForRenderer.message),
    ],
  }),
)
