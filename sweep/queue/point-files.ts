import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { checkOutputPath, cleanStalePartials, verifyResults } from '../../metrics/index.ts';
import { RESULT_FILES } from '../../metrics/output-folder.ts';

/**
 * A point's results folder as plain data: file name → gzip-compressed bytes in base64. This is
 * what a worker returns through BullMQ (JSON in Redis), so results need no shared file system.
 */
export type PackedFiles = Readonly<Record<string, string>>;

/** Packs every result file of `dir` (the manifest included); anything else there is an error. */
export function packFolder(dir: string): PackedFiles {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (!RESULT_FILES.includes(name) || !lstatSync(join(dir, name)).isFile()) {
      throw new Error(`${join(dir, name)}: not a result file; a point folder holds only ${RESULT_FILES.join(', ')}`);
    }
    files[name] = gzipSync(readFileSync(join(dir, name))).toString('base64');
  }
  return files;
}

/**
 * Writes packed files as the point folder `dir`, the way writeResults does: into a
 * `.NAME.partial-PID` sibling, checked against the manifest the worker wrote (every file's size
 * and SHA-256), then renamed over a folder fleetlab wrote earlier. The bytes are the worker's,
 * so the folder is byte-identical to a local run of the same point.
 */
export function unpackFolder(files: PackedFiles, dir: string): void {
  const mode = checkOutputPath(dir, { overwrite: true });
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  cleanStalePartials(parent);
  const staging = join(parent, `.${basename(dir)}.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  for (const [name, data] of Object.entries(files)) {
    if (!RESULT_FILES.includes(name)) throw new Error(`results for ${dir}: unexpected file "${name}"; expected only ${RESULT_FILES.join(', ')}`);
    writeFileSync(join(staging, name), gunzipSync(Buffer.from(data, 'base64')));
  }
  const problem = verifyResults(staging);
  if (problem !== undefined) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`results for ${dir} arrived damaged: ${problem}`);
  }
  const previous = `${staging}.previous`;
  if (mode === 'replace' || existsSync(dir)) renameSync(dir, previous);
  renameSync(staging, dir);
  rmSync(previous, { recursive: true, force: true });
}
