// A node's measured bandwidths, reported to the manager (ServerlessLLM's placement estimates a
// start-up from them) and printed by `npm run bench:coldstart`: reading a checkpoint from the
// disk tier (native loader, O_DIRECT where the file system allows, so the page cache is not what
// is measured), from the DRAM tier (tmpfs), and a plain memcpy between two host buffers.
import { randomFillSync } from 'node:crypto';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { allocHostBuffer, copyBytes, loadCheckpoint, writeCheckpoint } from '../native/index.ts';

export interface Bandwidths {
  /** GB/s (1e9 bytes/s) of the native loader reading the probe from the disk tier. */
  readonly disk_read_gbps: number;
  /** 'direct' when the disk read bypassed the page cache (O_DIRECT), else what the loader used. */
  readonly disk_io_mode: string;
  /** GB/s of the native loader reading the same probe from the DRAM tier. */
  readonly dram_read_gbps: number;
  /** GB/s of a host memcpy (the addon's threaded copy) of the same size, into memory already touched. */
  readonly memcpy_gbps: number;
  /**
   * GB/s of filling freshly allocated memory (its pages faulted in one by one). Every load writes
   * into a new image, so where page faults are slow (a loaded VM) this bounds both tiers.
   */
  readonly first_touch_gbps: number;
  readonly probe_bytes: number;
}

export interface ProbeOptions {
  /** A folder on the disk tier and one on the DRAM tier; the probe is written there and removed. */
  readonly disk_dir: string;
  readonly dram_dir: string;
  readonly bytes: number;
  readonly threads?: number;
}

const gbps = (bytes: number, seconds: number): number => (seconds > 0 ? bytes / seconds / 1e9 : 0);

/** Seconds the loader's pipeline took (the load's own figure, not our wall clock around it). */
async function timedLoad(dir: string, threads: number): Promise<{ seconds: number; ioMode: string }> {
  const loaded = await loadCheckpoint(dir, { verify: false, threads });
  const seconds = loaded.stages.find((s) => s.stage === 'pipeline total')?.seconds ?? loaded.seconds;
  loaded.release();
  return { seconds, ioMode: loaded.ioMode };
}

export async function measureBandwidths(o: ProbeOptions): Promise<Bandwidths> {
  if (!Number.isSafeInteger(o.bytes) || o.bytes < 4096) throw new Error(`probe bytes = ${o.bytes}; expected an integer >= 4096`);
  const threads = o.threads ?? 4;
  const data = allocHostBuffer(o.bytes);
  randomFillSync(data);
  const diskProbe = path.join(o.disk_dir, `.bandwidth-probe-${process.pid}`);
  const dramProbe = path.join(o.dram_dir, `.bandwidth-probe-${process.pid}`);
  try {
    // A freshly written file: its pages may sit in the page cache, which O_DIRECT reads bypass.
    await writeCheckpoint(diskProbe, [{ name: 'probe', dtype: 'u8', shape: [o.bytes], data }], { overwrite: true });
    await cp(diskProbe, dramProbe, { recursive: true });
    const disk = await timedLoad(diskProbe, threads);
    const dram = await timedLoad(dramProbe, threads);
    const dst = allocHostBuffer(o.bytes);
    const f0 = performance.now();
    dst.fill(1); // first touch: page faults, not memcpy bandwidth
    const first_touch_s = (performance.now() - f0) / 1e3;
    await copyBytes(dst, data);
    const c0 = performance.now();
    await copyBytes(dst, data);
    const memcpy_s = (performance.now() - c0) / 1e3;
    return {
      disk_read_gbps: gbps(o.bytes, disk.seconds), disk_io_mode: disk.ioMode,
      dram_read_gbps: gbps(o.bytes, dram.seconds), memcpy_gbps: gbps(o.bytes, memcpy_s), first_touch_gbps: gbps(o.bytes, first_touch_s), probe_bytes: o.bytes,
    };
  } finally {
    await rm(diskProbe, { recursive: true, force: true });
    await rm(dramProbe, { recursive: true, force: true });
  }
}
