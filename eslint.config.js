// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'coverage/**', '.ci/out/**', '.sandbox/**', 'sessions/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: { 'no-undef': 'off' },
  },
  // Layering (README "Layout"): http → services → engine | persistence | queues; wiring composes them all; only
  // src/engine and src/simulator import Baileys. A violation fails `npm run lint` (and so CI).
  ...layer('src/http/**', ['engine', 'persistence', 'queues', 'wiring', 'simulator'], 'http talks to services only'),
  ...layer('src/services/**', ['http', 'wiring', 'simulator'], 'services are below http and wiring'),
  ...layer('src/engine/**', ['http', 'services', 'persistence', 'queues', 'wiring'], 'the engine is a lower layer'),
  ...layer('src/persistence/**', ['http', 'services', 'engine', 'queues', 'wiring', 'simulator'], 'persistence is a lower layer'),
  ...layer('src/queues/**', ['http', 'services', 'engine', 'persistence', 'wiring', 'simulator'], 'queues are a lower layer'),
  ...layer('src/{*.ts,wiring/**}', [], 'the composition may import every layer'),
  ...layer('src/{config,crypto,errors,net}/**', ['http', 'services', 'engine', 'persistence', 'queues', 'wiring', 'simulator'], 'shared leaf modules import no layer'),
);

/** Forbids imports from `src/<folder>/` (relative paths) and of Baileys outside src/engine and src/simulator. */
function layer(files, forbidden, why) {
  const baileys = files.startsWith('src/engine') ? [] : [{ group: ['@whiskeysockets/baileys', '@whiskeysockets/baileys/*'], message: 'only src/engine and src/simulator import Baileys' }];
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              ...baileys,
              ...(forbidden.length ? [{ regex: `^(\\.\\./)+(${forbidden.join('|')})/`, message: `layering: ${why} (see README "Layout")` }] : []),
            ],
          },
        ],
      },
    },
  ];
}
