import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.flaregrid/**', 'scripts/build.mjs', '.nrlintrc.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A Node-RED node constructor names its `this` once, as `node`, for the handlers it registers.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      'no-restricted-imports': ['error', { patterns: [] }],
    },
  },
  {
    // Tests load Node-RED node modules (CommonJS `module.exports = function (RED)`) as the runtime does.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['lib/**/*.ts', 'sim/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['node-red'], patterns: ['**/nodes/**'] }],
    },
  },
  {
    // One clock (lib/clock.ts): lib/ and nodes/ read time and start timers only through a Clock, so that the
    // simulator, the nodes and the tests share one time line.
    files: ['lib/**/*.ts', 'nodes/**/*.ts'],
    ignores: ['lib/clock.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'take time from a Clock (lib/clock.ts)' }],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'take time from a Clock (lib/clock.ts)' },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'].map((name) => ({ name, message: 'start timers through a Clock (lib/clock.ts)' })),
      ],
    },
  },
);
