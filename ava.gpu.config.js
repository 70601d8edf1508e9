// GPU tests only (`npm run test:gpu`); the default `ava` run never picks these files up.
export default {
  files: ['test/gpu/**/*.gpu.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  timeout: '5m',
};
