import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimFile, claimRecords } from './claim-format.ts';
import type { FigureResult } from './figure.ts';

/** Writes `<dir>/<file>` (e.g. figure11.claim) and returns the result unchanged. */
export function writeClaim(dir: string, file: string, result: FigureResult): FigureResult {
  writeFileSync(join(dir, file), claimFile(result.title, claimRecords(result.id, result.claims), result.notes));
  return result;
}
