import type { Reproduction } from '../reproduction.ts';

export const serverlessllmReproduction: Reproduction = {
  paper: 'serverlessllm',
  figures: [],
  run() {
    return Promise.reject(new Error('fleetlab reproduce serverlessllm is not implemented yet'));
  },
};
