/**
 * Reads a JSON or YAML file named on the command line (a run config, a sweep file, serve's
 * fleet or nodes file, a deploy config) into a plain value. Every way it can fail is a
 * ConfigError naming the flag or file, what was given and what was expected: a missing path, a
 * folder or FIFO, and a syntax error with its line and column and the line's text (the parser's
 * own message is several lines with a caret, and cut to one line it lost the position).
 */
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.ts';

/** Reads `given` (as typed; `what` names it in errors, e.g. "--config" or "sweep file") and parses it. */
export function readConfigFile(path: string, given: string, what: string): unknown {
  const text = readRegularFile(path, given, what);
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    const { line, column, reason } = syntaxPosition(text, cause as Error);
    const where = line === undefined ? reason : `line ${line}, column ${column}: ${reason}`;
    throw ConfigError.single('(file)', `valid JSON or YAML (${where})`, line === undefined ? text.slice(0, 80) : lineText(text, line), { cause, source: given });
  }
}

/** Refuses what is not a regular file (a FIFO would block) and names symlink loops. */
function readRegularFile(path: string, given: string, what: string): string {
  try {
    if (!statSync(path).isFile()) throw ConfigError.single(what, 'a regular JSON or YAML file (not a folder, FIFO or device)', given);
    return readFileSync(path, 'utf8');
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'a symbolic link loop' : code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw ConfigError.single(what, `a readable JSON or YAML file (${why})`, given, { cause });
  }
}

/** Where a YAML or JSON parser stopped: YAML errors carry `linePos`, JSON ones "at position N". */
function syntaxPosition(text: string, error: Error): { line?: number; column?: number; reason: string } {
  const yamlPos = (error as { linePos?: readonly { line: number; col: number }[] }).linePos?.[0];
  if (yamlPos !== undefined) return { line: yamlPos.line, column: yamlPos.col, reason: error.message.split(/ at line \d+/)[0] ?? error.message };
  const offset = /at position (\d+)/.exec(error.message)?.[1];
  if (offset === undefined) return { reason: error.message };
  const before = text.slice(0, Number(offset)).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1, reason: error.message.replace(/ in JSON at position \d+.*/, '') };
}

/** Line `line` (1-based) of `text`, or the last non-blank line before it when it is blank (an unclosed bracket at the end). */
function lineText(text: string, line: number): string {
  const lines = text.split('\n');
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) if ((lines[i] ?? '').trim() !== '') return lines[i] ?? '';
  return '';
}
