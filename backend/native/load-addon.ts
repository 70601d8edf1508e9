// Finds and loads the compiled addon: tries each candidate in order, remembers why each one
// failed, and throws one error listing every cause with the fix.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPECTED_ABI_VERSION, type NativeAddon } from './addon-types.ts';
import { AddonLoadError } from './errors.ts';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FILE = 'fleetlab_native.node';

export function addonCandidates(): string[] {
  const list: string[] = [];
  const override = process.env['FLEETLAB_NATIVE_ADDON'];
  if (override) list.push(path.resolve(override));
  list.push(
    path.join(repoRoot, 'cuda', 'build', 'Release', FILE),
    path.join(repoRoot, 'cuda', 'build', FILE),
    path.join(repoRoot, 'build', 'Release', FILE),
  );
  return list;
}

let cached: NativeAddon | undefined;

export function loadAddon(): NativeAddon {
  if (cached) return cached;
  const attempts: string[] = [];
  for (const file of addonCandidates()) {
    if (!existsSync(file)) {
      attempts.push(`${file}: not found`);
      continue;
    }
    try {
      const mod = require(file) as Partial<NativeAddon>;
      if (mod.abiVersion !== EXPECTED_ABI_VERSION) {
        attempts.push(`${file}: ABI version ${String(mod.abiVersion)}, expected ${EXPECTED_ABI_VERSION} (stale build)`);
        continue;
      }
      cached = mod as NativeAddon;
      return cached;
    } catch (err) {
      attempts.push(`${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  const message = [
    'fleetlab native addon could not be loaded.',
    'Tried, in order:',
    ...attempts.map((a) => `  - ${a}`),
    'Possible causes and fixes:',
    '  - not built (the install skips it when no C++ toolchain is present): run `npm run build:native`',
    '  - missing toolchain: install g++, cmake (>= 3.18) and ninja or make, then `npm run build:native`',
    '  - stale or foreign build (other Node ABI or platform): delete cuda/build and rebuild',
    '  - custom location: set FLEETLAB_NATIVE_ADDON=/path/to/fleetlab_native.node',
  ].join('\n');
  throw new AddonLoadError(message, attempts);
}

/** Like loadAddon(), but returns the error instead of throwing (for feature probes). */
export function tryLoadAddon(): { addon: NativeAddon } | { error: AddonLoadError } {
  try {
    return { addon: loadAddon() };
  } catch (err) {
    if (err instanceof AddonLoadError) return { error: err };
    throw err;
  }
}
