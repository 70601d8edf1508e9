import { isAbsolute } from 'node:path';
import { z } from 'zod';

/**
 * A single folder name (a run `name:`, a sweep name, a point id): it must stay inside its
 * parent, so no separators, no `.` or `..`, no control characters. Returns the problem or
 * undefined.
 */
export function folderNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a non-empty folder name';
  if (name === '.' || name === '..') return 'a folder name other than "." and ".."';
  if (/[/\\]/.test(name) || isAbsolute(name)) return 'a single folder name (no "/" or "\\": it must stay inside its parent folder)';
  // biome-ignore lint: control characters are exactly what we refuse
  if (/[\u0000-\u001f]/.test(name)) return 'a folder name without control characters';
  if (name.length > 200) return 'a folder name of at most 200 characters';
  return undefined;
}

/** A zod string that must be a single folder name (see folderNameProblem). */
export const FolderName = z.string().superRefine((name, ctx) => {
  const problem = folderNameProblem(name);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: name });
});
