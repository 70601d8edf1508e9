import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * The rules every fleetlab writer follows before it touches a folder: it writes only into a
 * folder it creates, or one it wrote earlier (marked by `MANIFEST`), and replaces the latter
 * only when asked (`--overwrite`). Anything else at the path — a user's folder, a file, the
 * working directory — is refused, so a mistyped `--out` can never delete a user's files.
 */

/** Written last into every results folder fleetlab creates: the mark of ownership. */
export const MANIFEST = '.fleetlab-results.json';

/**
 * Files a results folder holds. A folder holding only these (and a config.json that names a
 * fleetlab version) was written by a fleetlab from before the manifest existed.
 */
export const RESULT_FILES: readonly string[] = ['config.json', 'summary.json', 'requests.csv', 'instances.csv', 'migrations.csv', 'steps.csv', 'trace.json', MANIFEST];

/** A results path fleetlab refuses to write: the message names the path and what to do. */
export class OutputPathError extends Error {
  override readonly name = 'OutputPathError';
  readonly path: string;
  constructor(path: string, why: string) {
    super(`refusing to write results to ${path}: ${why}`);
    this.path = path;
  }
}

const OVERWRITE_NOTE = '--overwrite only replaces folders fleetlab wrote (they hold a .fleetlab-results.json)';

/**
 * True when `dir` is a folder fleetlab wrote and nothing else was added to it: it holds only
 * result files, and either the manifest or (an older fleetlab) a config.json naming a
 * fleetlab version. A results folder someone put notes into is not replaced.
 */
export function isFleetlabFolder(dir: string): boolean {
  return foreignEntries(dir).length === 0 && (hasManifest(dir) || isLegacyResults(dir));
}

function hasManifest(dir: string): boolean {
  try {
    return lstatSync(join(dir, MANIFEST)).isFile();
  } catch {
    return false;
  }
}

function isLegacyResults(dir: string): boolean {
  try {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { fleetlab_version?: unknown };
    return typeof config.fleetlab_version === 'string';
  } catch {
    return false;
  }
}

/** Entries of `dir` that are not result files (or not plain files). */
function foreignEntries(dir: string): string[] {
  return readdirSync(dir).filter((e) => !RESULT_FILES.includes(e) || !lstatSync(join(dir, e)).isFile());
}

/**
 * Decides what writing results to `outDir` may do: `create` (nothing there, or an empty
 * folder), `replace` (a fleetlab folder, with overwrite). Throws OutputPathError otherwise.
 */
export function checkOutputPath(outDir: string, options: { overwrite: boolean }): 'create' | 'replace' {
  const target = resolve(outDir);
  const cwd = process.cwd();
  const fromCwd = relative(target, cwd);
  // The working directory or one of its ancestors can never be a results folder: replacing it
  // would remove the user's work (and `.` cannot be renamed anyway).
  if (fromCwd === '' || (!fromCwd.startsWith('..') && !isAbsolute(fromCwd))) {
    throw new OutputPathError(outDir, 'it is the working directory or one of its parents; give a new folder, e.g. results/my-run');
  }
  if (basename(target) === '' || dirname(target) === target) throw new OutputPathError(outDir, 'it is a filesystem root');
  let stat;
  try {
    stat = lstatSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'create';
    throw error;
  }
  if (stat.isSymbolicLink()) throw new OutputPathError(outDir, `it is a symbolic link; give the folder itself. ${OVERWRITE_NOTE}`);
  if (!stat.isDirectory()) throw new OutputPathError(outDir, `it is a file, not a results folder. ${OVERWRITE_NOTE}`);
  if (readdirSync(target).length === 0) return 'create';
  if (!isFleetlabFolder(target)) {
    const extra = foreignEntries(target);
    const what = hasManifest(target) && extra.length > 0 ? `it holds files fleetlab did not write (${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', ...' : ''})` : 'the folder exists and was not written by fleetlab';
    throw new OutputPathError(outDir, `${what}. ${OVERWRITE_NOTE}; give a new folder name`);
  }
  if (!options.overwrite) {
    throw new OutputPathError(outDir, 'it holds results of an earlier run; pass --overwrite to replace them, or give another --out or name');
  }
  return 'replace';
}

const PARTIAL = /^\.(.+)\.partial-(\d+)(\.previous)?$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Cleans `.NAME.partial-PID` staging folders that a killed fleetlab left in `parent`. Only
 * folders of dead processes, holding only result files, are touched. A `.previous` copy whose
 * real folder is missing (killed between the two renames) is moved back rather than deleted.
 */
export function cleanStalePartials(parent: string): void {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = PARTIAL.exec(entry);
    if (m === null || alive(Number(m[2]))) continue;
    const path = join(parent, entry);
    try {
      if (!lstatSync(path).isDirectory() || !readdirSync(path).every((e) => RESULT_FILES.includes(e))) continue;
      const real = join(parent, m[1] as string);
      if (m[3] !== undefined && !existsSync(real) && isFleetlabFolder(path)) renameSync(path, real);
      else rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process cleaning at the same time: theirs to finish.
    }
  }
}
