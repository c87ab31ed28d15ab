import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

/** Files that may import `electron` (the thin Electron adapter; style.md "Electron-free code"). */
const ELECTRON_ADAPTER = [
  'main/index.ts',
  'main/window/**',
  'main/deep-link/electron-*.ts',
  'main/ipc/electron-*.ts',
  'main/credentials/safe-storage-*.ts',
  'main/credentials/electron-*.ts',
  'main/electron-*.ts',
  'preload/index.ts',
];
/** Files that may use raw ipcMain / ipcRenderer (style.md principle 2). */
const RAW_IPC = ['main/ipc/electron-*.ts', 'preload/index.ts'];

const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: 'electron',
          allowTypeImports: true,
          message:
            'Electron-free code must not import electron; put Electron calls in the adapter (main/index.ts, main/window, main/*/electron-*.ts).',
        },
      ],
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'out/',
      'dist/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'screenshots/',
      'bench-results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: [
      'renderer/**/*.ts',
      'renderer/**/*.svelte',
      'renderer/**/*.svelte.ts',
      'harness/bridge.ts',
    ],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        extraFileExtensions: ['.svelte'],
        parser: tseslint.parser,
        svelteConfig,
      },
    },
  },
  {
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**', 'harness/**/*.ts', 'tests/**/*.ts'],
    ignores: ELECTRON_ADAPTER,
    rules: noElectron,
  },
  {
    files: ['**/*.ts', '**/*.svelte'],
    ignores: RAW_IPC,
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "Identifier[name='ipcMain']",
          message: 'Raw ipcMain only in main/ipc/electron-*.ts: use the typed handlers.',
        },
        {
          selector: "Identifier[name='ipcRenderer']",
          message: 'Raw ipcRenderer only in preload/index.ts.',
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    ignores: ['renderer/lib/api.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='latchkey']",
          message: 'Only renderer/lib/api.ts touches window.latchkey; use the state classes.',
        },
      ],
    },
  },
  {
    files: ['scripts/**', 'harness/server.ts', 'tests/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['tests/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': 'off',
    },
  },
);
