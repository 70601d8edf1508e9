import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST } from './output-folder.ts';
import type { ResultsManifest } from './write-results.ts';

/** The folder's manifest, or undefined when it has none or it is not valid JSON. */
export function readResultsManifest(dir: string): ResultsManifest | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Partial<ResultsManifest>;
    return parsed.fleetlab_results === 1 && typeof parsed.files === 'object' && parsed.files !== null ? (parsed as ResultsManifest) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a results folder against its manifest: every listed file present with its size and
 * SHA-256. Returns what is wrong (a truncated summary.json, an emptied requests.csv...) or
 * undefined when the folder is whole.
 */
export function verifyResults(dir: string): string | undefined {
  const manifest = readResultsManifest(dir);
  if (manifest === undefined) return `${join(dir, MANIFEST)} is missing or unreadable`;
  for (const [name, digest] of Object.entries(manifest.files)) {
    const path = join(dir, name);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return `${path} is missing`;
    }
    if (size !== digest.bytes) return `${path} has ${size} bytes, expected ${digest.bytes}`;
    if (createHash('sha256').update(readFileSync(path)).digest('hex') !== digest.sha256) return `${path} does not match its checksum`;
  }
  return undefined;
}
