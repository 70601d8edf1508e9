import { dirname, resolve } from 'node:path';
import { findPreset } from '../artifact/presets.ts';
import { ConfigError, parseRunConfig, type RunConfig } from '../sim/index.ts';
import { applyOverrides, mergeConfig } from './overrides.ts';
import { readConfigFile } from '../config/index.ts';
import { derivedRunName } from './run-name.ts';

export interface ConfigSources {
  readonly config?: string | undefined;
  readonly preset?: string | undefined;
  readonly set?: readonly string[] | undefined;
  readonly seed?: number | undefined;
  /** Changes applied after the preset and file, before `--set` (the vLLM flags). */
  readonly adjust?: ((raw: Record<string, unknown>) => Record<string, unknown>) | undefined;
}

/**
 * Resolves a run config from a preset, a JSON/YAML file (which may name a `preset` to
 * extend), the vLLM flags (`adjust`), `--set` overrides and `--seed`, in that order, then
 * validates it. Unless `--set name=...` names the run, its name carries every value changed
 * from the config it started from (derivedRunName): the file's `name:` with the command line's
 * changes, or the preset's name with the file's and the command line's.
 */
export function loadRunConfig(sources: ConfigSources): { config: RunConfig; baseDir: string } {
  let raw: Record<string, unknown> = {};
  let baseDir = process.cwd();
  let where = sources.preset ?? 'config';
  if (sources.config !== undefined) {
    const path = resolve(sources.config);
    baseDir = dirname(path);
    where = sources.config;
    const parsed = readConfigFile(path, sources.config, '--config');
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw ConfigError.single('(file)', 'a mapping of config fields', parsed, { source: sources.config });
    }
    raw = parsed as Record<string, unknown>;
  }
  if (raw.preset !== undefined && typeof raw.preset !== 'string') {
    throw ConfigError.single('preset', 'a preset name (a string; see `fleetlab presets`)', raw.preset, { source: where });
  }
  if (sources.preset !== undefined && typeof raw.preset === 'string' && raw.preset !== sources.preset) {
    // Which one wins is a guess either way (the file's fields were written against its own preset).
    throw ConfigError.single('--preset', `absent or the config file's own preset ${raw.preset} (the file extends that one)`, sources.preset, { source: where });
  }
  const presetName = sources.preset ?? (typeof raw.preset === 'string' ? raw.preset : undefined);
  const { preset: _preset, ...fields } = raw;
  // A name read from the file is reported with the file.
  const preset = presetName === undefined ? undefined : (findPreset(presetName, sources.preset === undefined ? sources.config : undefined) as Record<string, unknown>);
  let merged = preset === undefined ? fields : mergeConfig(preset, fields);
  // What the name describes: the file when it names itself, else the preset it extends.
  const anchor = typeof fields.name === 'string' || preset === undefined ? merged : preset;
  if (sources.adjust !== undefined) merged = sources.adjust(merged);
  merged = applyOverrides(merged, sources.set ?? []);
  if (sources.seed !== undefined) merged.seed = sources.seed;
  const namedOnCommandLine = (sources.set ?? []).some((s) => s.startsWith('name='));
  if (!namedOnCommandLine && typeof anchor.name === 'string') merged.name = derivedRunName(anchor.name, anchor, merged);
  return { config: parseRunConfig(merged, where), baseDir };
}
