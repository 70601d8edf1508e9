import { readFileSync, statSync } from 'node:fs';
import { LIMITS, limitMessage, limitValue } from '../../config/limits.ts';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, showValue, TraceError } from '../errors.ts';
import { parseConfig } from '../validate.ts';
import { parseAzureCsv } from './azure.ts';
import { BUILTIN_TRACES, builtinTracePath, isBuiltinName, type BuiltinName } from './builtin.ts';
import { parseBurstGptCsv } from './burstgpt.ts';
import { parseMooncakeJsonl } from './mooncake.ts';
import { applyCommonOptions, type Parsed } from './pipeline.ts';
import { parseShareGpt } from './sharegpt.ts';
import { parseVllmJsonl } from './vllm-jsonl.ts';
import { parseVllmResult } from './vllm-result.ts';
import { TraceSourceSchema, type LoadedTrace, type TraceSource, type TraceSourceInput } from './source.ts';
import { parseVidurCsv } from './vidur.ts';

export interface LoadOptions {
  /** Directory that relative trace paths are resolved against (default: the process's cwd). */
  readonly baseDir?: string;
}

/** Validates a trace source (string shorthand or object) and fills its defaults. */
export function parseTraceSource(input: TraceSourceInput | unknown, option = 'trace'): TraceSource {
  const parsed = parseConfig(TraceSourceSchema, input, option);
  if (typeof parsed !== 'string') return parsed;
  const name = parsed.slice('builtin:'.length) as BuiltinName;
  return parseConfig(TraceSourceSchema, { format: BUILTIN_TRACES[name].format, path: parsed }, option) as TraceSource;
}

function unknownBuiltin(option: string, value: string): ConfigError {
  const names = Object.keys(BUILTIN_TRACES).map((n) => `"builtin:${n}"`);
  return new ConfigError([{ option, expected: `one of ${names.join(' | ')}`, received: showValue(value) }]);
}

/** The file a source points at: a shipped builtin, an absolute path, or a path under baseDir. */
export function resolveTracePath(path: string, opts: LoadOptions = {}): string {
  if (path.startsWith('builtin:')) {
    const name = path.slice('builtin:'.length);
    if (!isBuiltinName(name)) throw unknownBuiltin('trace.path', path);
    return builtinTracePath(name);
  }
  return isAbsolute(path) ? path : resolve(opts.baseDir ?? process.cwd(), path);
}

/** Reads, parses and cuts a trace. Throws ConfigError for a bad source, TraceError for bad content. */
export function loadTrace(source: TraceSourceInput | TraceSource, opts: LoadOptions = {}): LoadedTrace {
  const src = parseTraceSource(source);
  const file = resolveTracePath(src.path, opts);
  let text: string;
  try {
    // Checked before reading: a FIFO or device would block or never end, a huge file would
    // exhaust memory before any row is looked at.
    const stat = statSync(file);
    if (!stat.isFile()) throw new TraceError({ file, expected: 'a regular file (not a folder, FIFO or device)' });
    if (stat.size > limitValue(LIMITS.traceBytes)) {
      throw new TraceError({ file, value: stat.size, expected: `a file of ${limitMessage(LIMITS.traceBytes)}` });
    }
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if (cause instanceof TraceError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'a symbolic link loop' : code === 'ENOENT' ? 'no such file' : (cause as Error).message;
    throw new TraceError({ file, expected: `a readable file (${why})` }, { cause });
  }
  const trace = loadTraceText(text, src, src.path.startsWith('builtin:') ? src.path : file);
  if (trace.rows_read > limitValue(LIMITS.traceRows)) {
    throw new TraceError({ file, value: trace.rows_read, expected: `a trace of ${limitMessage(LIMITS.traceRows)}` });
  }
  return trace;
}

/** Same as loadTrace on text already in memory; `file` is only used in error messages. */
export function loadTraceText(text: string, source: TraceSource, file: string): LoadedTrace {
  const parsed = parseByFormat(text, source, file);
  const { rows, dropped, adjusted, reordered } = applyCommonOptions(parsed, file, source);
  const rowsRead = parsed.rows.length + Object.values(parsed.dropped).reduce((a, b) => a + b, 0);
  return { file, format: source.format, rows, dropped, adjusted, rows_read: rowsRead, reordered };
}

function parseByFormat(text: string, src: TraceSource, file: string): Parsed {
  switch (src.format) {
    case 'vidur':
      return parseVidurCsv(text, file, true);
    case 'lengths':
      return parseVidurCsv(text, file, false);
    case 'azure':
      return parseAzureCsv(text, file);
    case 'burstgpt':
      return parseBurstGptCsv(text, file, { models: src.models, log_types: src.log_types });
    case 'mooncake':
      return parseMooncakeJsonl(text, file);
    case 'sharegpt':
      return parseShareGpt(text, file, { chars_per_token: src.chars_per_token });
    case 'vllm-jsonl':
      return parseVllmJsonl(text, file, { chars_per_token: src.chars_per_token, output_len: src.output_len });
    case 'vllm-result':
      return parseVllmResult(text, file);
  }
}
