import type { Reproduction } from '../reproduction.ts';

export const llumnixReproduction: Reproduction = {
  paper: 'llumnix',
  figures: [],
  run() {
    return Promise.reject(new Error('fleetlab reproduce llumnix is not implemented yet'));
  },
};
