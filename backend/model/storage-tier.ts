// Which storage tier a checkpoint directory lives on, read from the file system itself (not
// from whoever named the directory): tmpfs and ramfs are memory (the node agent's DRAM tier,
// /dev/shm), anything else is a disk. A cold start reports this as its `source`.
import { statfs } from 'node:fs/promises';

/** statfs f_type of the in-memory file systems (linux/magic.h). */
const MEMORY_FS = new Set([0x01021994 /* TMPFS_MAGIC */, 0x858458f6 /* RAMFS_MAGIC */]);

export type StorageTier = 'disk' | 'dram';

export async function storageTierOf(dir: string): Promise<StorageTier> {
  const s = await statfs(dir);
  return MEMORY_FS.has(Number(s.type)) ? 'dram' : 'disk';
}
