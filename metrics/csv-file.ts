import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';

/** Size and SHA-256 of a written file, recorded in the results manifest. */
export interface FileDigest {
  readonly bytes: number;
  readonly sha256: string;
}

const BATCH_ROWS = 4096;

/**
 * Writes a file a piece at a time (`put`) and returns its digest, so a run with millions of
 * rows never holds the whole file as one string.
 */
export function writeStreamed(path: string, write: (put: (text: string) => void) => void): FileDigest {
  const fd = openSync(path, 'w');
  const hash = createHash('sha256');
  let bytes = 0;
  const put = (text: string): void => {
    const buffer = Buffer.from(text, 'utf8');
    writeSync(fd, buffer);
    hash.update(buffer);
    bytes += buffer.length;
  };
  try {
    write(put);
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Writes a CSV with a header (even with no rows) a batch of rows at a time. */
export function writeCsv(path: string, columns: readonly string[], rows: Iterable<Record<string, unknown>>): FileDigest {
  return writeStreamed(path, (put) => {
    put(stringify([], { header: true, columns: [...columns] }));
    let batch: Record<string, unknown>[] = [];
    for (const row of rows) {
      batch.push(row);
      if (batch.length === BATCH_ROWS) {
        put(stringify(batch, { columns: [...columns] }));
        batch = [];
      }
    }
    if (batch.length > 0) put(stringify(batch, { columns: [...columns] }));
  });
}

/** Writes a text file and returns its digest. */
export function writeText(path: string, text: string): FileDigest {
  const buffer = Buffer.from(text, 'utf8');
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
  return { bytes: buffer.length, sha256: createHash('sha256').update(buffer).digest('hex') };
}
