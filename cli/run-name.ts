// A run's name (its results folder and its column in `compare`) says what was run: a preset or
// config run with changed fields carries the new values, so a rate-8 run of the 7.5 req/s
// preset is not written to a folder named 7.5.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';

type Tree = Record<string, unknown>;

const isObject = (v: unknown): v is Tree => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Leaves of a config as dotted paths (arrays are leaves). */
function leaves(tree: Tree, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isObject(value)) leaves(value, path, out);
    else out.set(path, value);
  }
  return out;
}

/** A value as it reads in a folder name: no separators, no quotes; paths by their file name. */
function show(path: string, value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = path.endsWith('path') || value.includes('/') ? basename(value) : value;
  else if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) text = value.join(',');
  else if (typeof value === 'object' && value !== null) text = createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 8);
  else text = String(value);
  return text.replace(/[/\\\s:]/g, '_');
}

/** The shortest dotted tail of `path` that no other leaf of the config shares (rate_per_s, arrival.kind). */
function label(path: string, all: readonly string[]): string {
  const parts = path.split('.');
  for (let n = 1; n < parts.length; n++) {
    const tail = parts.slice(-n).join('.');
    if (all.filter((p) => p === tail || p.endsWith(`.${tail}`)).length === 1) return tail;
  }
  return path;
}

const IGNORED = new Set(['name', 'system']);
/** What is measured and written (metrics.*) does not change what ran: not part of the name. */
const ignored = (path: string): boolean => IGNORED.has(path) || path.startsWith('metrics.');
/** Past this length a name's list of changes is replaced by a hash of it (a folder name holds at most 200 characters). */
const MAX_NAME = 180;

/**
 * The name of a run whose config is `final`, derived from `anchor` (the preset or the named
 * config it started from) named `baseName`: every leaf that changed (or appeared) is appended
 * as `-label=value` (label: the shortest unambiguous tail of its path, e.g. `rate_per_s`,
 * `arrival.kind`), in the order of the final config. A name that ends with the old value of a
 * changed or removed leaf (the presets end with their rate: `fig11-ShareGPT-llumnix-7.5`) gets
 * the new value there instead of a second mention. Unchanged configs keep `baseName`.
 */
export function derivedRunName(baseName: string, anchor: Tree, final: Tree): string {
  const before = leaves(anchor);
  const after = leaves(final);
  const all = [...after.keys()];
  let name = baseName;
  const changes: string[] = [];
  const endsWithValue = (value: unknown): boolean => (typeof value === 'number' || typeof value === 'string') && name.endsWith(`-${String(value)}`);
  for (const [path, value] of after) {
    if (ignored(path) || (before.has(path) && JSON.stringify(before.get(path)) === JSON.stringify(value))) continue;
    const old = before.get(path);
    if (old !== undefined && endsWithValue(old) && typeof value !== 'object') {
      name = `${name.slice(0, name.length - String(old).length)}${show(path, value)}`;
      continue;
    }
    changes.push(`${label(path, all)}=${show(path, value)}`);
  }
  for (const [path, old] of before) {
    // A removed leaf (a rate replaced by a burst arrival) must not stay in the name either.
    if (!after.has(path) && !ignored(path) && endsWithValue(old)) name = name.slice(0, name.length - String(old).length - 1);
  }
  if (changes.length === 0) return name;
  const suffix = changes.join('-');
  return name.length + 1 + suffix.length <= MAX_NAME ? `${name}-${suffix}` : `${name}-changed-${createHash('sha256').update(suffix).digest('hex').slice(0, 8)}`;
}
