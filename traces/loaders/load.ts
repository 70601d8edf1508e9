import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, showValue, TraceError } from '../errors.ts';
import { parseConfig } from '../validate.ts';
import { parseAzureCsv } from './azure.ts';
import { BUILTIN_TRACES, builtinTracePath, isBuiltinName, type BuiltinName } from './builtin.ts';
import { parseBurstGptCsv } from './burstgpt.ts';
import { parseMooncakeJsonl } from './mooncake.ts';
import { applyCommonOptions, type Parsed } from './pipeline.ts';
import { parseShareGpt } from './sharegpt.ts';
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
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new TraceError({ file, expected: `a readable file (${(cause as Error).message})` }, { cause });
  }
  return loadTraceText(text, src, src.path.startsWith('builtin:') ? src.path : file);
}

/** Same as loadTrace on text already in memory; `file` is only used in error messages. */
export function loadTraceText(text: string, source: TraceSource, file: string): LoadedTrace {
  const parsed = parseByFormat(text, source, file);
  const { rows, dropped, adjusted } = applyCommonOptions(parsed, file, source);
  return { file, format: source.format, rows, dropped, adjusted };
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
      return parseShareGpt(text, file, { chars_per_token: src.chars_per_token, max_total_tokens: src.max_total_tokens });
  }
}
