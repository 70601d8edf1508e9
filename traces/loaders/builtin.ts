import { fileURLToPath } from 'node:url';
import type { TraceFormat } from './source.ts';

/**
 * Traces shipped in `traces/data/` (provenance and licences in its README), addressable as
 * `builtin:<name>` so configs do not depend on where the package is installed. Paths are
 * resolved from this module's URL, never from the working directory.
 */
export interface BuiltinTrace {
  readonly file: string;
  readonly format: TraceFormat;
  readonly description: string;
}

export const BUILTIN_TRACES = {
  sharegpt: {
    file: 'sharegpt_8k_lengths_llama2.csv',
    format: 'lengths',
    description: 'ShareGPT-GPT4 lengths (Llama-2 tokenizer, total ≤ 8192), 30,731 rows, no timestamps',
  },
  'azure-conv': {
    file: 'azure_llm_2023_conv.csv',
    format: 'azure',
    description: 'Azure LLM inference 2023, chat service, 19,366 requests over ~58 min',
  },
  'azure-code': {
    file: 'azure_llm_2023_code.csv',
    format: 'azure',
    description: 'Azure LLM inference 2023, code completion, 8,819 requests over ~57 min',
  },
  'vidur-splitwise-conv': {
    file: 'vidur_splitwise_conv.csv',
    format: 'vidur',
    description: 'Vidur replay CSV of the Azure chat trace (same requests, rebased)',
  },
  'vidur-splitwise-code': {
    file: 'vidur_splitwise_code.csv',
    format: 'vidur',
    description: 'Vidur replay CSV of the Azure code trace (same requests, rebased)',
  },
  'mooncake-sample': {
    file: 'mooncake_conversation_sample.jsonl',
    format: 'mooncake',
    description: 'First 200 lines of the Mooncake FAST25 conversation trace (with hash_ids)',
  },
} as const satisfies Record<string, BuiltinTrace>;

export type BuiltinName = keyof typeof BUILTIN_TRACES;

export function isBuiltinName(name: string): name is BuiltinName {
  return Object.hasOwn(BUILTIN_TRACES, name);
}

/** Absolute path of a shipped trace file. */
export function builtinTracePath(name: BuiltinName): string {
  return fileURLToPath(new URL(`../data/${BUILTIN_TRACES[name].file}`, import.meta.url));
}
