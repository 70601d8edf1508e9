import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findPreset } from '../artifact/presets.ts';
import { ConfigError, parseRunConfig, type RunConfig } from '../sim/index.ts';
import { applyOverrides, mergeConfig } from './overrides.ts';

export interface ConfigSources {
  readonly config?: string | undefined;
  readonly preset?: string | undefined;
  readonly set?: readonly string[] | undefined;
  readonly seed?: number | undefined;
}

/**
 * Resolves a run config from a preset, a JSON/YAML file (which may name a `preset` to
 * extend), `--set` overrides and `--seed`, in that order, then validates it.
 */
export function loadRunConfig(sources: ConfigSources): { config: RunConfig; baseDir: string } {
  let raw: Record<string, unknown> = {};
  let baseDir = process.cwd();
  let where = 'config';
  if (sources.config !== undefined) {
    const path = resolve(sources.config);
    baseDir = dirname(path);
    where = sources.config;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new ConfigError('--config', sources.config, 'a readable JSON or YAML file', { cause });
    }
    let parsed: unknown;
    try {
      parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    } catch (cause) {
      throw new ConfigError(sources.config, (cause as Error).message, 'valid JSON or YAML', { cause });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(sources.config, parsed, 'a mapping of config fields');
    }
    raw = parsed as Record<string, unknown>;
  }
  const presetName = sources.preset ?? (typeof raw.preset === 'string' ? raw.preset : undefined);
  const { preset: _preset, ...fields } = raw;
  let merged = fields;
  if (presetName !== undefined) merged = mergeConfig(findPreset(presetName) as Record<string, unknown>, fields);
  merged = applyOverrides(merged, sources.set ?? []);
  if (sources.seed !== undefined) merged.seed = sources.seed;
  return { config: parseRunConfig(merged, where), baseDir };
}
