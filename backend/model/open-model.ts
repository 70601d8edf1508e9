// Opens a model for the runner: reads and checks the folder, converts it once, loads the
// checkpoint through the native loader (optionally via the DRAM cache) and hands out host
// tensors by HF name.
import type { DramCache, LoadedCheckpoint, LoadOptions, StageStat, TensorView } from '../native/index.ts';
import { loadCheckpoint } from '../native/index.ts';
import type { ModelArch } from './arch.ts';
import { ensureCheckpoint, type CheckpointCacheOptions } from './checkpoint-cache.ts';
import type { GenerationDefaults } from './generation-config.ts';
import type { HfTokenizer } from './hf-tokenizer.ts';
import { loadTokenizer } from './load-tokenizer.ts';
import { readModelFolder } from './model-folder.ts';
import type { WeightDtype } from './validate-tensors.ts';

/**
 * A weight in host memory: a view into the loaded image (no copy). Structurally a runner
 * tensor ({ dtype, shape, data }), so `tensors: (name) => model.tensors.get(name)` feeds the
 * model runner directly.
 */
export interface HostTensor extends TensorView {
  readonly dtype: WeightDtype;
  /** The tensor's bytes (f16/bf16 as raw 16-bit patterns), `size` long, at `offset` in `image`. */
  readonly data: Uint8Array;
}

export interface OpenModelOptions extends CheckpointCacheOptions {
  /** Keeps the image in this DRAM cache so a second open of the same model reads no disk. */
  readonly dramCache?: DramCache;
  /** Loader tuning (threads, chunk size, O_DIRECT). */
  readonly load?: Omit<LoadOptions, 'target' | 'cache'>;
  /**
   * Load this already-converted checkpoint instead of converting the folder (a node agent's
   * store hands its disk or DRAM-tier copy). Its tensors are still checked against the folder.
   */
  readonly checkpointDir?: string;
}

export interface OpenedModel {
  readonly dir: string;
  readonly arch: ModelArch;
  readonly tokenizer: HfTokenizer;
  readonly generation: GenerationDefaults;
  readonly checkpointDir: string;
  /** The whole host image; every tensor is a 256-byte-aligned range of it. */
  readonly image: Buffer;
  readonly tensors: ReadonlyMap<string, HostTensor>;
  /** Tensors in the folder that this arch does not use (not loaded). */
  readonly ignoredTensors: readonly string[];
  readonly load: {
    readonly converted: boolean;
    readonly convert_s: number;
    readonly source: LoadedCheckpoint['source'];
    readonly load_s: number;
    readonly bytes: number;
    /** The loader's stages (disk->image, staged copy, CRC check), as measured. */
    readonly stages: readonly StageStat[];
  };
  /** The tensor, or an error naming it. */
  tensor(name: string): HostTensor;
  /** Unpins the DRAM cache entry; the image stays valid until garbage-collected. */
  release(): void;
}

export async function openModel(dir: string, opts: OpenModelOptions = {}): Promise<OpenedModel> {
  const folder = await readModelFolder(dir);
  const tokenizer = await loadTokenizer(folder.dir, folder.generation.eos_token_ids);
  const cached = opts.checkpointDir === undefined ? await ensureCheckpoint(folder, opts) : { dir: opts.checkpointDir, converted: false, seconds: 0 };
  const loaded = await loadCheckpoint(cached.dir, { ...opts.load, target: 'host', ...(opts.dramCache ? { cache: opts.dramCache } : {}) });
  const image = loaded.host!;
  const tensors = new Map<string, HostTensor>();
  for (const t of folder.tensors.used) {
    const v = loaded.tensors.get(t.name);
    if (!v) throw new Error(`${cached.dir}: tensor ${JSON.stringify(t.name)} missing from the converted checkpoint; delete ${cached.dir} and open again`);
    tensors.set(t.name, { ...v, dtype: t.dtype as WeightDtype, data: new Uint8Array(image.buffer, image.byteOffset + v.offset, v.size) });
  }
  return {
    dir: folder.dir, arch: folder.arch, tokenizer, generation: folder.generation, checkpointDir: cached.dir,
    image, tensors, ignoredTensors: folder.tensors.ignored,
    load: { converted: cached.converted, convert_s: cached.seconds, source: loaded.source, load_s: loaded.seconds, bytes: loaded.bytes, stages: loaded.stages },
    tensor(name: string): HostTensor {
      const t = tensors.get(name);
      if (!t) throw new Error(`${folder.dir}: no tensor ${JSON.stringify(name)} in this ${folder.arch.arch} model`);
      return t;
    },
    release: () => loaded.release(),
  };
}
