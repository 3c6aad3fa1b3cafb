// Lint rules, including the layering of DESIGN.md made mechanical:
// daemon → rpc → storage-engine → consensus, and a pure consensus/ core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (folder, forbidden) => ({
  files: [`${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: forbidden.map((name) => ({
        group: [`**/${name}/**`, `../${name}/*`],
        message: `${folder}/ must not import ${name}/ (DESIGN.md: daemon → rpc → storage-engine → consensus).`,
      })),
    }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'proto/gen/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  layer('storage-engine', ['rpc', 'daemon']),
  layer('rpc', ['daemon']),
  {
    // The Raft core is pure: no I/O, timers, clock, global randomness or asynchrony.
    files: ['consensus/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'net', 'dgram', 'timers', 'child_process', 'worker_threads'], message: 'consensus/ does no I/O.' },
          { group: ['**/storage-engine/**', '**/rpc/**', '**/daemon/**', '@grpc/*', 'classic-level', 'abstract-level', 'koa', 'prom-client', 'pino'], message: 'consensus/ imports nothing else of the project and no package with I/O.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Time is a tick count in consensus/.' },
        { name: 'setInterval', message: 'Time is a tick count in consensus/.' },
        { name: 'setImmediate', message: 'Time is a tick count in consensus/.' },
        { name: 'Promise', message: 'consensus/ is synchronous.' },
        { name: 'Date', message: 'consensus/ has no clock.' },
        { name: 'performance', message: 'consensus/ has no clock.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'Use the injected seeded random source.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: 'FunctionDeclaration[async=true], ArrowFunctionExpression[async=true], FunctionExpression[async=true]', message: 'consensus/ is synchronous.' },
        { selector: 'AwaitExpression', message: 'consensus/ is synchronous.' },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
