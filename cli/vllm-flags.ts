// `fleetlab run` in `vllm bench serve`'s vocabulary: each flag becomes a change to the run config
// (workload, arrival, lengths, metrics.vllm_bench), applied after the preset and config file and
// before `--set`, so an explicit `--set` still wins.
import { existsSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { ConfigError } from '../sim/index.ts';
import { parseGoodput } from '../metrics/vllm-keys.ts';
import { requestRate } from './arg-parsers.ts';

/** The flags as commander hands them over (strings where vLLM takes lists or `inf`). */
export interface VllmRunFlags {
  readonly requestRate?: string | undefined;
  readonly burstiness?: number | undefined;
  readonly numPrompts?: number | undefined;
  readonly datasetName?: string | undefined;
  readonly datasetPath?: string | undefined;
  readonly randomInputLen?: number | undefined;
  readonly randomOutputLen?: number | undefined;
  readonly randomRangeRatio?: number | undefined;
  readonly randomPrefixLen?: number | undefined;
  readonly sharegptOutputLen?: number | undefined;
  readonly sonnetInputLen?: number | undefined;
  readonly sonnetOutputLen?: number | undefined;
  readonly sonnetPrefixLen?: number | undefined;
  readonly maxConcurrency?: number | undefined;
  readonly percentileMetrics?: string | undefined;
  readonly metricPercentiles?: string | undefined;
  readonly goodput?: readonly string[] | undefined;
}

/** Dataset names with a reader in traces/; vLLM's others (sonnet, hf, custom, ...) are refused by name. */
export const VLLM_DATASETS = ['sharegpt', 'burstgpt', 'random', 'sonnet', 'custom'] as const;

const list = (value: string): string[] => value.split(/[,\s]+/).filter((v) => v !== '');
const object = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * Returns a copy of `raw` with every vLLM flag given applied; throws ConfigError naming the flag.
 * `configDir`: the folder of the `--config` file, from which the config's relative paths resolve;
 * `--dataset-path` is typed relative to the working directory, so it is rewritten relative to it.
 */
export function applyVllmFlags(raw: Record<string, unknown>, flags: VllmRunFlags, configDir?: string): Record<string, unknown> {
  const out = structuredClone(raw);
  const workload = (out.workload = { ...object(out.workload) });
  if (flags.numPrompts !== undefined) workload.num_requests = flags.numPrompts;
  if (flags.maxConcurrency !== undefined) workload.max_concurrency = flags.maxConcurrency;
  if (flags.requestRate !== undefined || flags.burstiness !== undefined) workload.arrival = arrival(object(workload.arrival), flags);
  const lengths = datasetLengths({ ...flags, datasetPath: datasetFile(flags.datasetPath, configDir) });
  if (lengths !== undefined) workload.lengths = lengths;
  const bench: Record<string, unknown> = {};
  if (flags.percentileMetrics !== undefined) bench.percentile_metrics = list(flags.percentileMetrics);
  if (flags.metricPercentiles !== undefined) {
    bench.metric_percentiles = list(flags.metricPercentiles).map((p) => {
      const n = Number(p);
      if (!Number.isFinite(n)) throw ConfigError.single('--metric-percentiles', 'comma-separated numbers in (0, 100], e.g. 50,90,99', flags.metricPercentiles);
      return n;
    });
  }
  if (flags.goodput !== undefined) {
    try {
      bench.goodput = parseGoodput(flags.goodput);
    } catch (cause) {
      throw ConfigError.single('--goodput', 'KEY:MILLISECONDS words with KEY one of ttft, tpot, e2el (e.g. ttft:500 tpot:50)', flags.goodput.join(' '), { cause });
    }
  }
  if (Object.keys(bench).length > 0) {
    const metrics = (out.metrics = { ...object(out.metrics) });
    metrics.vllm_bench = { ...object(metrics.vllm_bench), ...bench };
  }
  return out;
}

/**
 * vLLM's arrivals: `inf` sends everything at t = 0; a rate draws Gamma(burstiness) gaps, which
 * is Poisson at burstiness 1. `--burstiness` alone keeps the config's rate.
 */
function arrival(current: Record<string, unknown>, flags: VllmRunFlags): Record<string, unknown> {
  let rate: number;
  if (flags.requestRate === undefined) {
    if (typeof current.rate_per_s !== 'number') {
      throw ConfigError.single('--burstiness', `with --request-rate: the config's arrival (kind ${String(current.kind)}) has no rate to keep`, flags.burstiness);
    }
    rate = current.rate_per_s;
  } else {
    try {
      rate = requestRate(flags.requestRate);
    } catch (cause) {
      throw ConfigError.single('--request-rate', 'requests per second > 0, or inf (everything at t = 0)', flags.requestRate, { cause });
    }
    if (rate === Infinity) return { kind: 'burst' };
  }
  const burstiness = flags.burstiness ?? 1;
  if (!Number.isFinite(burstiness) || burstiness <= 0) throw ConfigError.single('--burstiness', 'a Gamma shape > 0 (1 is Poisson)', flags.burstiness);
  return burstiness === 1 ? { kind: 'poisson', rate_per_s: rate } : { kind: 'gamma', rate_per_s: rate, burstiness };
}

/**
 * Refuses a --dataset-path that does not exist (from the working directory, where the user typed
 * it) for the datasets fleetlab reads, before anything runs: the trace loader would only name the
 * file, resolved from the config file's folder.
 */
export function checkDatasetPath(flags: Pick<VllmRunFlags, 'datasetName' | 'datasetPath'>): void {
  const path = flags.datasetPath;
  if (path === undefined || path.startsWith('builtin:') || !DATASETS_WITH_FILES.has(flags.datasetName ?? '')) return;
  if (!existsSync(path)) throw ConfigError.single('--dataset-path', `an existing ${flags.datasetName} file (relative to the working directory ${process.cwd()})`, path);
}

const DATASETS_WITH_FILES = new Set(['sharegpt', 'burstgpt', 'custom']);

/** --dataset-path as the config resolves it: from the config file's folder when there is one. */
function datasetFile(path: string | undefined, configDir: string | undefined): string | undefined {
  if (path === undefined || configDir === undefined || isAbsolute(path) || path.startsWith('builtin:')) return path;
  return relative(configDir, resolve(path));
}

/** The lengths section a `--dataset-name` reads, or undefined when the flag is absent. */
function datasetLengths(flags: VllmRunFlags): Record<string, unknown> | undefined {
  const name = flags.datasetName;
  const path = flags.datasetPath;
  if (name === undefined && path !== undefined) throw ConfigError.single('--dataset-path', `with --dataset-name (${VLLM_DATASETS.join(' | ')})`, path);
  // A dataset's own flags need that dataset, as in vLLM (which would silently ignore them).
  for (const [dataset, flag, given] of [
    ['random', '--random-input-len/--random-output-len/--random-range-ratio/--random-prefix-len', [flags.randomInputLen, flags.randomOutputLen, flags.randomRangeRatio, flags.randomPrefixLen]],
    ['sharegpt', '--sharegpt-output-len', [flags.sharegptOutputLen]],
    ['sonnet', '--sonnet-input-len/--sonnet-output-len/--sonnet-prefix-len', [flags.sonnetInputLen, flags.sonnetOutputLen, flags.sonnetPrefixLen]],
  ] as const) {
    if (name !== dataset && given.some((v) => v !== undefined)) throw ConfigError.single(flag, `with --dataset-name ${dataset}`, name === undefined ? 'no --dataset-name' : `--dataset-name ${name}`);
  }
  if (name === undefined) return undefined;
  switch (name) {
    case 'sharegpt': {
      // Without a file, the shipped ShareGPT-GPT4 lengths (tokenized with Llama-2's tokenizer), drawn
      // as the presets draw them; vLLM itself needs a file.
      if (path === undefined) {
        if (flags.sharegptOutputLen !== undefined) return { dataset: { name: 'sharegpt', path: 'builtin:sharegpt', output_len: flags.sharegptOutputLen } };
        return { paired: { trace: 'builtin:sharegpt', order: 'sample' } };
      }
      // vLLM's ShareGPTDataset: its validity filter, then a seeded shuffle (traces/datasets).
      return { dataset: { name: 'sharegpt', path, ...(flags.sharegptOutputLen === undefined ? {} : { output_len: flags.sharegptOutputLen }) } };
    }
    case 'burstgpt':
      if (path === undefined) throw ConfigError.single('--dataset-path', 'the BurstGPT CSV file with --dataset-name burstgpt (e.g. BurstGPT_without_fails_2.csv)', 'nothing');
      // vLLM's BurstGPT loader: GPT-4 rows with a response, sampled without replacement.
      return { dataset: { name: 'burstgpt', path } };
    case 'random': {
      if (path !== undefined) throw ConfigError.single('--dataset-path', 'absent with --dataset-name random (it reads no file)', basename(path));
      const ratio = flags.randomRangeRatio ?? 0;
      if (!(ratio >= 0 && ratio < 1)) throw ConfigError.single('--random-range-ratio', 'a number in [0, 1)', flags.randomRangeRatio);
      // vLLM's RandomDataset: integer-uniform lengths on [⌊len·(1−r)⌋, ⌈len·(1+r)⌉].
      return {
        dataset: {
          name: 'random',
          ...(flags.randomInputLen === undefined ? {} : { input_len: flags.randomInputLen }),
          ...(flags.randomOutputLen === undefined ? {} : { output_len: flags.randomOutputLen }),
          ...(flags.randomRangeRatio === undefined ? {} : { range_ratio: ratio }),
          ...(flags.randomPrefixLen === undefined ? {} : { prefix_len: flags.randomPrefixLen }),
        },
      };
    }
    case 'sonnet':
      // vLLM's sonnet prompts: a shared prefix and lines to about the input length (traces/datasets).
      // vLLM reads the lines from --dataset-path (sonnet.txt); fleetlab needs only the lengths, so a
      // path is accepted (the same command line works) when the file exists, and not read.
      if (path !== undefined && !existsSync(path)) throw ConfigError.single('--dataset-path', 'an existing file (vLLM\'s sonnet.txt; fleetlab does not read it) or no --dataset-path', path);
      return {
        dataset: {
          name: 'sonnet',
          ...(flags.sonnetInputLen === undefined ? {} : { input_len: flags.sonnetInputLen }),
          ...(flags.sonnetOutputLen === undefined ? {} : { output_len: flags.sonnetOutputLen }),
          ...(flags.sonnetPrefixLen === undefined ? {} : { prefix_len: flags.sonnetPrefixLen }),
        },
      };
    case 'custom':
      if (path === undefined) throw ConfigError.single('--dataset-path', 'a vLLM custom JSONL file with --dataset-name custom ({"prompt": …} per line)', 'nothing');
      return { dataset: { name: 'custom', path } };
    default:
      throw ConfigError.single(
        '--dataset-name',
        `one of ${VLLM_DATASETS.join(' | ')} (vLLM's other datasets have no reader in fleetlab yet; describe the lengths under workload.lengths in a config instead)`,
        name,
      );
  }
}

/**
 * The config a run in vLLM's vocabulary starts from when it names none: `vllm bench serve`
 * measures one server, so one vLLM v1 instance (artifact/single-gpu.ts).
 */
export const VLLM_DEFAULT_PRESET = 'single-gpu/sharegpt/vllm-v1';

/** Whether any flag of `vllm bench serve`'s vocabulary was given. */
export function usesVllmFlags(flags: VllmRunFlags): boolean {
  return Object.values(flags).some((v) => v !== undefined);
}
