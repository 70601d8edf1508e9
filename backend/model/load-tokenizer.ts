// The tokenizer of a model folder: tokenizer.json + tokenizer_config.json (+ chat_template.jinja).
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { readJson } from './model-folder.ts';
import { HfTokenizer } from './hf-tokenizer.ts';
import { parseTokenizerConfig } from './tokenizer-config.ts';

export async function loadTokenizer(dir: string, extraEosTokenIds: readonly number[] = []): Promise<HfTokenizer> {
  const tokFile = path.join(dir, 'tokenizer.json');
  const cfgFile = path.join(dir, 'tokenizer_config.json');
  const json = await readJson(tokFile);
  const rawCfg = (await readJson(cfgFile, true)) ?? {};
  const templateFile = await readFile(path.join(dir, 'chat_template.jinja'), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  const settings = parseTokenizerConfig(rawCfg, cfgFile, templateFile);
  return new HfTokenizer(json, settings, { extra_eos_token_ids: extraEosTokenIds, source: tokFile });
}
