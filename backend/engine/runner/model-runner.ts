// ModelRunner: the native Llama/Qwen2 forward pass over a paged KV pool (cuda/model_runner.*
// on a host pool, cuda/cuda_model_runner.* on a GPU pool).
// This class owns validation; the addon gets only checked primitives. One step runs at a
// time: a second forward() while one is in flight rejects with code EBUSY.
import { RUNNER_CONFIG_FIELDS, type NativeModelRunner } from '../../native/addon-types.ts';
import { NativeError, fromNative } from '../../native/errors.ts';
import type { KvBlockPool } from '../../native/kv-pool.ts';
import { loadAddon } from '../../native/load-addon.ts';
import type { ModelArch } from '../../model/arch.ts';
import { packBatch } from './pack-batch.ts';
import { tensorSlots } from './tensor-slots.ts';
import type { ForwardOutput, ForwardSequence, ModelRunnerOptions, RunnerSimd } from './types.ts';
import { RUNNER_DTYPE_CODE, checkTensor, invalid, runnerKind, validateArch, validateKvPool } from './validate.ts';

const SIMD: readonly RunnerSimd[] = ['auto', 'scalar', 'avx2', 'avx512'];

function runnerConfig(a: ModelArch, kv: KvBlockPool, threads: number): Float64Array {
  const rs = a.rope_scaling;
  const llama3 = rs.kind === 'llama3';
  const values: Record<(typeof RUNNER_CONFIG_FIELDS)[number], number> = {
    vocab_size: a.vocab_size, hidden_size: a.hidden_size, intermediate_size: a.intermediate_size,
    num_hidden_layers: a.num_hidden_layers, num_attention_heads: a.num_attention_heads,
    num_key_value_heads: a.num_key_value_heads, head_dim: a.head_dim, rms_norm_eps: a.rms_norm_eps,
    rope_theta: a.rope_theta, llama3: llama3 ? 1 : 0, rope_factor: llama3 ? rs.factor : 1,
    low_freq_factor: llama3 ? rs.low_freq_factor : 1, high_freq_factor: llama3 ? rs.high_freq_factor : 4,
    original_max_position_embeddings: llama3 ? rs.original_max_position_embeddings : a.max_position_embeddings,
    attention_bias: a.attention_bias ? 1 : 0, block_size: kv.spec.blockSize,
    kv_dtype: RUNNER_DTYPE_CODE[kv.spec.dtype], threads,
  };
  return Float64Array.from(RUNNER_CONFIG_FIELDS, (f) => values[f]);
}

export class ModelRunner {
  readonly arch: ModelArch;
  readonly kvPool: KvBlockPool;
  #native: NativeModelRunner | undefined;
  #inFlight = false;

  private constructor(arch: ModelArch, kvPool: KvBlockPool, native: NativeModelRunner) {
    this.arch = arch;
    this.kvPool = kvPool;
    this.#native = native;
  }

  /** Checks the architecture, every tensor and the pool, then builds the native runner. */
  static create(opts: ModelRunnerOptions): ModelRunner {
    const { arch, kvPool } = opts;
    validateArch(arch);
    validateKvPool(kvPool.spec, arch);
    const threads = opts.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw invalid(`threads = ${threads}; expected an integer in [1, 256]`);
    const simd = opts.simd ?? 'auto';
    if (!SIMD.includes(simd)) throw invalid(`simd = ${String(simd)}; expected one of ${SIMD.join(', ')}`);
    if (typeof opts.tensors !== 'function') throw invalid('tensors must be a function (name) => RunnerTensor | undefined');
    const kind = runnerKind(kvPool.spec, opts.backend ?? 'cpu', loadAddon().deviceInfo().compiledWithCuda);
    const slots = tensorSlots(arch);
    const data: (Uint8Array | null)[] = [];
    const dtypes = new Int32Array(slots.length);
    for (const [i, slot] of slots.entries()) {
      const t = checkTensor(slot, slot.used ? opts.tensors(slot.name) : undefined);
      data.push(t ? t.data : null);
      dtypes[i] = t ? RUNNER_DTYPE_CODE[t.dtype] : 0;
    }
    try {
      const addon = loadAddon();
      // The native side picks the CUDA runner for a device pool itself; 'cuda-emulation' asks for its CPU mirror.
      const kernels = kind === 'cpu' ? simd : kind;
      const native = new addon.ModelRunner(runnerConfig(arch, kvPool, threads), data, dtypes, kvPool.nativeHandle(), kernels);
      return new ModelRunner(arch, kvPool, native);
    } catch (err) {
      throw fromNative(err, 'model runner creation');
    }
  }

  /** Kernels in use: 'scalar' | 'avx2' | 'avx512' (CPU runner), 'cuda' or 'cuda-emulation'. */
  get kernel(): string {
    return this.native.kernel;
  }

  get threads(): number {
    return this.native.threads;
  }

  /**
   * Runs one mixed step; resolves to the logits of every sequence with wantLogits.
   * `out.logits` (optional) is a buffer to write them into (at least rows × vocab floats),
   * so a step loop can reuse one allocation instead of a fresh zero-filled array per step.
   */
  async forward(batch: readonly ForwardSequence[], out?: { logits?: Float32Array }): Promise<ForwardOutput> {
    const native = this.native;
    if (this.#inFlight) throw new NativeError('a forward is already in flight on this runner; await it before the next step', 'EBUSY');
    const vocabSize = this.arch.vocab_size;
    const p = packBatch(batch, { vocabSize, blockSize: this.kvPool.spec.blockSize, numBlocks: this.kvPool.spec.numBlocks });
    const need = p.rows.length * vocabSize;
    const given = out?.logits;
    if (given !== undefined && (!(given instanceof Float32Array) || given.length < need)) {
      throw invalid(`out.logits holds ${given?.length} floats; expected a Float32Array of at least ${need} (${p.rows.length} rows × vocab ${vocabSize})`);
    }
    const logits = given ? given.subarray(0, need) : new Float32Array(need);
    this.#inFlight = true;
    try {
      await native.forward(p.tokens, p.seqs, p.blockTables, p.blockOffsets, logits);
    } catch (err) {
      throw fromNative(err, 'model forward');
    } finally {
      this.#inFlight = false;
    }
    return { logits, rows: p.rows, vocabSize };
  }

  /** Releases the native runner (weights stay owned by the caller). Refused while a step runs. */
  free(): void {
    if (this.#inFlight) throw new NativeError('cannot free the model runner while a forward is in flight', 'EBUSY');
    this.#native?.free();
    this.#native = undefined;
  }

  private get native(): NativeModelRunner {
    if (!this.#native) throw new NativeError('model runner was freed', 'EFREED');
    return this.#native;
  }
}
