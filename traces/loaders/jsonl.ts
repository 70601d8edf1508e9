import { TraceError } from '../errors.ts';

/** The JSON object of every non-blank line of a JSON-lines file, with its 1-based line number. */
export function* jsonlObjects(text: string, file: string): Generator<{ readonly line: number; readonly rec: Record<string, unknown> }> {
  const lines = text.split('\n');
  for (const [i, rawLine] of lines.entries()) {
    const line = i + 1;
    const content = rawLine.trim();
    if (content === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(content);
    } catch (cause) {
      throw new TraceError({ file, line, value: content, expected: 'one JSON object per line' }, { cause });
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new TraceError({ file, line, value: obj, expected: 'a JSON object' });
    yield { line, rec: obj as Record<string, unknown> };
  }
}
