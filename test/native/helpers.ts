// Shared helpers for the native tests (not a test file: ava only runs *.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomFillSync } from 'node:crypto';

export async function tempDir(prefix = 'fleetlab-native-', base = os.tmpdir()): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(base, prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function randomBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  if (n > 0) randomFillSync(b);
  return b;
}

export const shmAvailable = existsSync('/dev/shm');
