// Mutation testing (StrykerJS): `npm run test:mutation`. Slow, so not part of `npm test` or CI.
// The "ava-shim" runner (test/mutation/stryker-runner.mjs) runs ava's test files in one
// process and switches mutants at run time; see test/mutation/ava-shim.ts for why not ava.
// To mutate another folder, add its sources and its tests below.
const mutate = [
  'policies/**/*.ts',
  'engine/**/*.ts',
];
const tests = [
  'test/policies',
  'test/serverless/placement.test.ts',
  'test/serverless/loading.test.ts',
  'test/engine',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [...mutate, '!**/index.ts', '!**/types.ts', '!**/view.ts'],
  plugins: ['./test/mutation/stryker-runner.mjs'],
  testRunner: 'ava-shim',
  avaShim: { tests },
  testRunnerNodeArgs: ['--import', 'tsx'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // Static mutants (module-level code: zod schemas, constants) need a fresh process each, 10–30 s
  // apiece on the shared dev machine; they are reported as ignored (docs/testing.md).
  ignoreStatic: true,
  timeoutMS: 15000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // The sandbox needs the sources and tests only (not native builds, results or caches).
  ignorePatterns: ['cuda/build', 'results', 'reports', 'build', '.tmp', '*.log'],
  thresholds: { high: 90, low: 80, break: null },
  warnings: { unknownOptions: false },
};
