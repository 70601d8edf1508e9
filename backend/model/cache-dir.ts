// Where fleetlab keeps what it derives from models: converted checkpoints of read-only model
// folders and the generated tiny models. One root, overridable for tests and CI.
import os from 'node:os';
import path from 'node:path';

/** $FLEETLAB_CACHE_DIR, else $XDG_CACHE_HOME/fleetlab, else ~/.cache/fleetlab. */
export function fleetlabCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env['FLEETLAB_CACHE_DIR'];
  if (own) return path.resolve(own);
  const xdg = env['XDG_CACHE_HOME'];
  return path.join(xdg ? path.resolve(xdg) : path.join(os.homedir(), '.cache'), 'fleetlab');
}
