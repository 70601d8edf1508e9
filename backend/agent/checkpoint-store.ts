// A node's checkpoint store (ServerlessLLM's sllm-store, reference/serverlessllm.md §2–3): models
// registered on this node are converted once from their HF folder into the project's checkpoint
// format under the agent's models dir (the "SSD" tier); a DRAM tier holds copies on a memory
// file system (/dev/shm) that instance processes load from, kept while an instance of the model
// runs and for `keep_alive_s` after, evicted least recently used when room is needed, or
// unloaded on request.
//
// Why files on tmpfs and not the in-process DramCache: the instance is another process, and a
// Buffer cannot be shared across processes without a shared-memory mapping the addon does not
// have. A tmpfs file *is* shared DRAM: the instance's native loader reads it with one memory copy
// into its image (O_DIRECT is refused on tmpfs; the loader falls back to buffered reads), and
// the file system itself says which tier a load read from (storage-tier.ts).
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ensureCheckpoint, isTinyPreset, readModelFolder, resolveModelDir } from '../model/index.ts';
import { storageTierOf, type StorageTier } from '../model/storage-tier.ts';

export interface CheckpointStoreOptions {
  /** The disk tier: one folder per registered model (`<name>/checkpoint`, `<name>/source.json`). */
  readonly models_dir: string;
  /** The DRAM tier: a folder on tmpfs/ramfs (checked). */
  readonly dram_dir: string;
  /** Bytes the DRAM tier may hold (0: no DRAM tier). */
  readonly dram_capacity_bytes: number;
  /** Seconds a DRAM copy stays after the last instance of its model stopped (or after loading, if none starts). */
  readonly keep_alive_s: number;
}

/** What the node holds of one model (the node report's models). */
export interface ModelHolding {
  /** The model as the manager names it (tiny preset or folder path). */
  readonly model: string;
  /** The store's folder name for it. */
  readonly name: string;
  readonly bytes: number;
  readonly on_disk: boolean;
  readonly in_dram: boolean;
  /** Instances of it running on this node. */
  readonly instances: number;
}

/** A checkpoint handed to a starting instance; `release` once the instance has loaded it. */
export interface Checkout {
  readonly dir: string;
  readonly tier: StorageTier;
  release(): void;
}

interface Entry {
  readonly model: string;
  readonly name: string;
  readonly disk_dir: string;
  readonly bytes: number;
  dram_dir: string | undefined;
  dram_loading: Promise<void> | undefined;
  /** Readers of the DRAM copy right now (a starting instance); never evicted while > 0. */
  pins: number;
  instances: number;
  last_used_ms: number;
  keep_alive: NodeJS.Timeout | undefined;
}

export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** A folder name for a model: the preset name, or the folder's base name and a hash of its real path. */
async function storeName(model: string, folder: string): Promise<string> {
  if (isTinyPreset(model)) return model;
  const hash = createHash('sha256').update(await realpath(folder)).digest('hex').slice(0, 10);
  return `${path.basename(folder).replace(/[^A-Za-z0-9._-]/g, '_')}-${hash}`;
}

async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir)) n += (await stat(path.join(dir, f))).size;
  return n;
}

export class CheckpointStore {
  readonly opts: CheckpointStoreOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #registering = new Map<string, Promise<Entry>>();

  private constructor(opts: CheckpointStoreOptions) {
    this.opts = opts;
  }

  static async open(opts: CheckpointStoreOptions): Promise<CheckpointStore> {
    if (!Number.isSafeInteger(opts.dram_capacity_bytes) || opts.dram_capacity_bytes < 0) throw new StoreError(`dram_capacity_bytes = ${opts.dram_capacity_bytes}; expected an integer >= 0`);
    if (!Number.isFinite(opts.keep_alive_s) || opts.keep_alive_s < 0) throw new StoreError(`keep_alive_s = ${opts.keep_alive_s}; expected a number >= 0`);
    await mkdir(opts.models_dir, { recursive: true });
    await mkdir(opts.dram_dir, { recursive: true });
    if (opts.dram_capacity_bytes > 0 && (await storageTierOf(opts.dram_dir)) !== 'dram') {
      throw new StoreError(`dram_dir = ${opts.dram_dir}; expected a folder on tmpfs or ramfs (e.g. under /dev/shm), this one is on a disk`);
    }
    return new CheckpointStore(opts);
  }

  /** Registers `model` on this node: converts its HF folder once into the disk tier (reused while the folder is unchanged). */
  register(model: string): Promise<Entry> {
    const known = this.#entries.get(model);
    if (known !== undefined) return Promise.resolve(known);
    let pending = this.#registering.get(model);
    if (pending === undefined) {
      pending = this.#register(model).finally(() => this.#registering.delete(model));
      this.#registering.set(model, pending);
    }
    return pending;
  }

  async #register(model: string): Promise<Entry> {
    const folder = await readModelFolder(await resolveModelDir(model));
    const name = await storeName(model, folder.dir);
    const root = path.join(this.opts.models_dir, name);
    const { dir } = await ensureCheckpoint(folder, { cacheDir: root });
    const entry: Entry = { model, name, disk_dir: dir, bytes: await dirBytes(dir), dram_dir: undefined, dram_loading: undefined, pins: 0, instances: 0, last_used_ms: performance.now(), keep_alive: undefined };
    this.#entries.set(model, entry);
    return entry;
  }

  /** Copies a registered model into the DRAM tier (registering it first); resolves once it is there. */
  async loadToDram(model: string): Promise<{ seconds: number; bytes: number }> {
    const e = await this.register(model);
    const t0 = performance.now();
    if (e.dram_dir === undefined) {
      e.dram_loading ??= this.#copyToDram(e).finally(() => (e.dram_loading = undefined));
      await e.dram_loading;
    }
    e.last_used_ms = performance.now();
    this.#scheduleKeepAlive(e);
    return { seconds: (performance.now() - t0) / 1e3, bytes: e.bytes };
  }

  async #copyToDram(e: Entry): Promise<void> {
    if (e.bytes > this.opts.dram_capacity_bytes) throw new StoreError(`model ${e.model} (${e.bytes} bytes) does not fit the DRAM tier of ${this.opts.dram_capacity_bytes} bytes (--dram-cache-gib)`);
    await this.#makeRoom(e);
    const target = path.join(this.opts.dram_dir, e.name);
    const tmp = `${target}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    try {
      for (const f of await readdir(e.disk_dir)) await copyFile(path.join(e.disk_dir, f), path.join(tmp, f));
      await rm(target, { recursive: true, force: true });
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    e.dram_dir = target;
  }

  /** Evicts unpinned DRAM copies, least recently used first, until `self` fits beside the others. */
  async #makeRoom(self: Entry): Promise<void> {
    const held = (): number => [...this.#entries.values()].reduce((n, x) => n + (x !== self && (x.dram_dir !== undefined || x.dram_loading !== undefined) ? x.bytes : 0), 0);
    const victims = [...this.#entries.values()].filter((x) => x !== self && x.dram_dir !== undefined && x.pins === 0).sort((a, b) => a.last_used_ms - b.last_used_ms);
    for (const v of victims) {
      if (held() + self.bytes <= this.opts.dram_capacity_bytes) break;
      await this.unload(v.model);
    }
    if (held() + self.bytes > this.opts.dram_capacity_bytes) {
      throw new StoreError(`the DRAM tier (${this.opts.dram_capacity_bytes} bytes) is held by models being read; no room for ${self.model} (${self.bytes} bytes)`);
    }
  }

  /** Drops a model's DRAM copy (its disk copy stays). False when it had none or it is being read. */
  async unload(model: string): Promise<boolean> {
    const e = this.#entries.get(model);
    if (e === undefined || e.dram_dir === undefined || e.pins > 0) return false;
    const dir = e.dram_dir;
    e.dram_dir = undefined;
    clearTimeout(e.keep_alive);
    e.keep_alive = undefined;
    await rm(dir, { recursive: true, force: true });
    return true;
  }

  /** The checkpoint a starting instance should read: the DRAM copy when there is one, else the disk tier. */
  async checkout(model: string): Promise<Checkout> {
    const e = await this.register(model);
    if (e.dram_loading !== undefined) await e.dram_loading.catch(() => undefined);
    e.last_used_ms = performance.now();
    if (e.dram_dir === undefined) return { dir: e.disk_dir, tier: 'disk', release: () => {} };
    e.pins++;
    let released = false;
    return {
      dir: e.dram_dir, tier: 'dram',
      release: () => {
        if (released) return;
        released = true;
        e.pins--;
      },
    };
  }

  /** An instance of `model` started (its DRAM copy, if any, stays while instances run). */
  instanceStarted(model: string): void {
    const e = this.#entries.get(model);
    if (e === undefined) return;
    e.instances++;
    clearTimeout(e.keep_alive);
    e.keep_alive = undefined;
  }

  /** An instance of `model` stopped; the keep-alive clock starts when none is left. */
  instanceStopped(model: string): void {
    const e = this.#entries.get(model);
    if (e === undefined) return;
    e.instances = Math.max(0, e.instances - 1);
    e.last_used_ms = performance.now();
    this.#scheduleKeepAlive(e);
  }

  #scheduleKeepAlive(e: Entry): void {
    clearTimeout(e.keep_alive);
    e.keep_alive = undefined;
    if (e.instances > 0 || e.dram_dir === undefined) return;
    e.keep_alive = setTimeout(() => void this.unload(e.model), this.opts.keep_alive_s * 1e3);
    e.keep_alive.unref();
  }

  holdings(): ModelHolding[] {
    return [...this.#entries.values()].map((e) => ({ model: e.model, name: e.name, bytes: e.bytes, on_disk: true, in_dram: e.dram_dir !== undefined, instances: e.instances }));
  }

  get dram_used_bytes(): number {
    return [...this.#entries.values()].reduce((n, e) => n + (e.dram_dir !== undefined ? e.bytes : 0), 0);
  }

  /** Removes the DRAM tier's files (the disk tier stays for the next start). */
  async close(): Promise<void> {
    for (const e of this.#entries.values()) clearTimeout(e.keep_alive);
    await rm(this.opts.dram_dir, { recursive: true, force: true });
  }
}
