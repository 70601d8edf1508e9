// Atomic publication of a directory: build it under a temporary name next to the target,
// fsync every file and the directory, then rename. A crash leaves only a ".tmp-" directory
// (never a half-written one under the real name).
import { open, rename, rm, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { NativeError } from './errors.ts';

export async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function publishDirectory(
  target: string,
  build: (tmpDir: string) => Promise<void>,
  opts: { overwrite?: boolean } = {},
): Promise<void> {
  const parent = path.dirname(path.resolve(target));
  const base = path.basename(target);
  const exists = await stat(target).then(() => true, () => false);
  if (exists && !opts.overwrite) {
    throw new NativeError(`${target} already exists; pass { overwrite: true } to replace it`, 'EEXIST');
  }
  await mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.${base}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    await build(tmp);
    await fsyncPath(tmp);
    if (exists) {
      // rename() cannot replace a non-empty directory: move the old one aside first.
      const old = path.join(parent, `.${base}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
    await fsyncPath(parent);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
