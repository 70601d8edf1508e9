// A cold start of one engine, stage by stage: the figures an instance puts in its ready message
// and a node agent reports (ServerlessLLM's "startup latency", split where the time goes).
import type { OpenedModel } from '../model/index.ts';
import { storageTierOf, type StorageTier } from '../model/storage-tier.ts';

export interface ColdStart {
  /** Where the weights were read from: the DRAM tier (tmpfs, or the in-process DRAM cache) or a disk. */
  readonly source: StorageTier;
  readonly checkpoint_dir: string;
  readonly bytes: number;
  /** Loader pipeline: bytes from the tier into the host image (O_DIRECT where the file system allows). */
  readonly read_s: number;
  /** CRC-32 of every partition against index.json. */
  readonly verify_s: number;
  /**
   * Weights handed from the image to the model runner. The CPU runner reads the image in place
   * (no copy), so this is small; a GPU runner's upload would land here.
   */
  readonly copy_s: number;
  /** Everything else: model folder and tokenizer, KV pool allocation, engine core. */
  readonly init_s: number;
  readonly total_s: number;
}

/** Marks the boundaries while an engine is created; `finish` turns them into stages. */
export class ColdStartClock {
  readonly #t0 = performance.now();
  #copyStart = 0;
  #copyEnd = 0;

  copyStarts(): void {
    this.#copyStart = performance.now();
  }

  copyEnds(): void {
    this.#copyEnd = performance.now();
  }

  async finish(model: OpenedModel): Promise<ColdStart> {
    const total_s = (performance.now() - this.#t0) / 1e3;
    const stage = (name: string): number => model.load.stages.find((s) => s.stage === name)?.seconds ?? 0;
    const read_s = stage('pipeline total') || model.load.load_s;
    const verify_s = stage('verify CRC-32');
    const copy_s = Math.max(0, (this.#copyEnd - this.#copyStart) / 1e3);
    const source = model.load.source === 'dram' ? 'dram' : await storageTierOf(model.checkpointDir);
    return {
      source, checkpoint_dir: model.checkpointDir, bytes: model.load.bytes,
      read_s, verify_s, copy_s, init_s: Math.max(0, total_s - read_s - verify_s - copy_s), total_s,
    };
  }
}
