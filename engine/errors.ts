/** A broken invariant of an engine: always a bug, never a user error. */
export class EngineInvariantError extends Error {
  override readonly name = 'EngineInvariantError';
}
