// What the compiled tree (dist/) is built from and when it is stale. Shared by the build
// (scripts/build.mjs) and the launcher (bin/fleetlab.js), which runs dist/ only while no source
// changed since the build: an edited policy is never silently replaced by its old compiled copy.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in scripts/). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Folders of code the CLI runs (tests, benches and examples stay TypeScript, run by tsx). */
export const SOURCE_DIRS = ['artifact', 'backend', 'cli', 'config', 'engine', 'fidelity', 'loadgen', 'metrics', 'plots', 'policies', 'sim', 'sweep', 'traces'];

/** Written last by the build: the sources it compiled and the newest modification time among them. */
export const STAMP = '.fleetlab-build.json';

/** Every file under the source folders, relative to the root, sorted. */
export function sourceFiles(root = ROOT) {
  const out = [];
  for (const dir of SOURCE_DIRS) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) out.push(join(entry.parentPath ?? entry.path, entry.name).slice(root.length + (root.endsWith('/') ? 0 : 1)));
    }
  }
  return out.sort();
}

/**
 * Newest modification time of the files under the source folders, and how many there are (data
 * files count: the build links each one into dist/, so a new one needs a new build).
 */
export function codeState(root = ROOT) {
  let newest = 0;
  let count = 0;
  for (const file of sourceFiles(root)) {
    count++;
    const mtime = statSync(join(root, file)).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return { newest_mtime_ms: newest, source_files: count };
}

/**
 * The compiled CLI entry when `out` holds a build of the current sources, else undefined (no
 * build, or a source added, removed or modified since). Costs one stat per source file.
 */
export function freshEntry(out = join(ROOT, 'dist'), root = ROOT) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(out, STAMP), 'utf8'));
  } catch {
    return undefined;
  }
  const now = codeState(root);
  if (now.source_files !== stamp.source_files || now.newest_mtime_ms > stamp.newest_mtime_ms) return undefined;
  return join(out, 'cli', 'main.js');
}
