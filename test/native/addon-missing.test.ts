import test from 'ava';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

// The real loader, copied into a tree with no build output (what a clone without a C++
// toolchain looks like), must throw ONE error listing every attempt and the fixes.
test('loading fails with one error listing causes and fixes when the addon is absent', async (t) => {
  const { dir, cleanup } = await tempDir();
  try {
    const native = path.join(dir, 'backend', 'native');
    await mkdir(native, { recursive: true });
    for (const f of ['load-addon.ts', 'addon-types.ts', 'errors.ts']) await copyFile(path.join(here, '..', '..', 'backend', 'native', f), path.join(native, f));
    const m = (await import(path.join(native, 'load-addon.ts'))) as typeof import('../../backend/native/load-addon.ts');
    const err = t.throws(() => m.loadAddon());
    t.is(err!.name, 'AddonLoadError');
    const attempts = (err as unknown as { attempts: string[] }).attempts;
    t.true(attempts.length >= 3);
    t.true(attempts.every((a) => a.endsWith('not found')));
    t.regex(err!.message, /Tried, in order:[\s\S]*not found[\s\S]*npm run build:native[\s\S]*FLEETLAB_NATIVE_ADDON/);
    // The probe returns the same failure as data instead of throwing, and no addon.
    const probe = m.tryLoadAddon();
    t.false('addon' in probe);
    if ('error' in probe) {
      t.is(probe.error.name, 'AddonLoadError');
      t.deepEqual(probe.error.attempts, attempts);
    } else t.fail('tryLoadAddon() returned an addon in a tree without one');
  } finally {
    await cleanup();
  }
});
