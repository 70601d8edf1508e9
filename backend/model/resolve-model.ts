// `--model X`: a folder path, or the name of a tiny preset (made on first use in the cache).
import { stat } from 'node:fs/promises';
import { isTinyPreset, TINY_PRESET_NAMES } from './tiny/presets.ts';
import { ensureTinyModel } from './tiny/make-tiny.ts';

export async function resolveModelDir(model: string, cacheRoot?: string): Promise<string> {
  const isDir = await stat(model).then((s) => s.isDirectory(), () => false);
  if (isDir) return model;
  if (isTinyPreset(model)) return ensureTinyModel(model, cacheRoot);
  throw new Error(`--model ${JSON.stringify(model)}: not a folder, and not a tiny preset name (${TINY_PRESET_NAMES.join(', ')})`);
}
