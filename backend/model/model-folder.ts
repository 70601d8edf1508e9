// An HF model folder as found on disk: config.json, one model.safetensors or shards listed by
// model.safetensors.index.json, tokenizer files and generation_config.json. Reading it checks
// everything (config, shard map, tensors against the arch) before a byte of weights is copied.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../../config/index.ts';
import { readSafetensorsHeader } from '../native/index.ts';
import type { ModelArch } from './arch.ts';
import { parseGenerationConfig, type GenerationDefaults } from './generation-config.ts';
import { parseHfConfig } from './hf-config.ts';
import { validateTensors, type FolderTensor, type TensorCheck } from './validate-tensors.ts';

export const SINGLE_FILE = 'model.safetensors';
export const SHARD_INDEX = 'model.safetensors.index.json';
const SHARD_NAME = /^model-\d{5}-of-\d{5}\.safetensors$/;

export interface ModelFolder {
  readonly dir: string;
  readonly arch: ModelArch;
  readonly generation: GenerationDefaults;
  /** The safetensors files, in shard order. */
  readonly files: readonly string[];
  readonly tensors: TensorCheck;
}

/** Reads a JSON file; `optional` files that are absent give undefined. */
export async function readJson(file: string, optional = false): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return undefined;
    throw ConfigError.single('(file)', 'a readable file (is this an HF model folder?)', code ?? String(err), { source: file, cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw ConfigError.single('(json)', 'valid JSON', text.slice(0, 40), { source: file, cause: err });
  }
}

const shardIndexSchema = z.looseObject({ weight_map: z.record(z.string(), z.string().regex(/^[^/\\]+\.safetensors$/, 'a file name in this folder ending in .safetensors')) });

/** The safetensors files of the folder and, when sharded, which file each tensor is in. */
async function listWeightFiles(dir: string): Promise<{ files: string[]; weightMap?: Map<string, string> }> {
  const indexFile = path.join(dir, SHARD_INDEX);
  const rawIndex = await readJson(indexFile, true);
  if (rawIndex !== undefined) {
    const { weight_map } = parseConfig(shardIndexSchema, rawIndex, '', indexFile);
    const names = [...new Set(Object.values(weight_map))].sort();
    if (names.length === 0) throw ConfigError.single('weight_map', 'at least one tensor', weight_map, { source: indexFile });
    return { files: names.map((n) => path.join(dir, n)), weightMap: new Map(Object.entries(weight_map).map(([t, f]) => [t, path.join(dir, f)])) };
  }
  const entries = await readdir(dir);
  if (entries.includes(SINGLE_FILE)) return { files: [path.join(dir, SINGLE_FILE)] };
  const shards = entries.filter((e) => SHARD_NAME.test(e)).sort();
  if (shards.length > 0) {
    throw ConfigError.single(SHARD_INDEX, `present beside the shards (${shards[0]} …)`, 'nothing', { source: dir });
  }
  throw ConfigError.single('(weights)', `${SINGLE_FILE} or ${SHARD_INDEX} with its shards (.bin/.pt weights are not read; convert them to safetensors)`, entries.filter((e) => /\.(safetensors|bin|pt|pth|gguf)$/.test(e)), { source: dir });
}

export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const abs = path.resolve(dir);
  const configFile = path.join(abs, 'config.json');
  const arch = parseHfConfig(await readJson(configFile), configFile);
  const genFile = path.join(abs, 'generation_config.json');
  const rawGen = await readJson(genFile, true);
  const generation = rawGen === undefined ? { eos_token_ids: [] } : parseGenerationConfig(rawGen, genFile);
  const { files, weightMap } = await listWeightFiles(abs);
  const tensors: FolderTensor[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const header = await readSafetensorsHeader(file).catch((err: unknown) => {
      throw ConfigError.single('(file)', 'a readable safetensors file', err instanceof Error ? err.message : String(err), { source: file, cause: err });
    });
    for (const t of header.tensors) {
      const other = seen.get(t.name);
      if (other !== undefined) throw ConfigError.single(`tensors[${JSON.stringify(t.name)}]`, `in one file only (also in ${path.basename(other)})`, path.basename(file), { source: file });
      seen.set(t.name, file);
      const mapped = weightMap?.get(t.name);
      if (weightMap && mapped !== file) {
        throw ConfigError.single(`weight_map[${JSON.stringify(t.name)}]`, `${JSON.stringify(path.basename(file))} (the shard that holds it)`, mapped === undefined ? undefined : path.basename(mapped), { source: path.join(abs, SHARD_INDEX) });
      }
      tensors.push({ name: t.name, dtype: t.dtype, shape: t.shape, file, begin: t.begin, end: t.end });
    }
  }
  if (weightMap) {
    for (const [name, file] of weightMap) {
      if (!seen.has(name)) throw ConfigError.single(`weight_map[${JSON.stringify(name)}]`, `a tensor present in ${path.basename(file)}`, 'missing from the shard', { source: path.join(abs, SHARD_INDEX) });
    }
  }
  return { dir: abs, arch, generation, files, tensors: validateTensors(arch, tensors, abs) };
}
