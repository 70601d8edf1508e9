export { ConfigError } from '../config/index.ts';

/** A broken invariant of the simulation: always a bug, never a user error. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}
