// Runs from `npm install` / `npm ci`: builds the native addon but never fails the install,
// because the simulator and everything outside backend/native work without it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.FLEETLAB_SKIP_NATIVE === '1') {
  console.log('fleetlab: FLEETLAB_SKIP_NATIVE=1, not building the native addon');
  process.exit(0);
}
const result = spawnSync('npm', ['run', '--silent', 'build:native'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.warn(
    [
      '',
      'fleetlab: the native addon (cuda/) was NOT built; the install continues without it.',
      '  Only backend/native (checkpoint loading, KV pools, transfer) needs it.',
      '  Causes: no C++ toolchain (g++ or clang), no cmake >= 3.18, or no ninja/make.',
      '  Fix: install them (Debian/Ubuntu: apt-get install build-essential cmake ninja-build),',
      '       then run `npm run build:native`. CUDA is optional (detected at configure time).',
      '',
    ].join('\n'),
  );
}
process.exit(0);
