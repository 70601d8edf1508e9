// Native data-plane benchmark: cold/warm checkpoint loads vs naive Node loading vs the
// device's raw O_DIRECT bandwidth (dd), KV gather/scatter/copy and loopback transfer.
//   npm run bench:native -- [--size-gib 2] [--dir /path] [--threads 4] [--chunk-mib 32] [--rounds 2] [--keep] [--reuse]
// (--reuse: development only, skips preparation when an earlier --keep run left the files)
// Cold figures alternate dd and the loader (page cache dropped before each when root), so
// both see the same disk state; every round is printed and the ratio uses the totals.
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { statfs, readFile, rm, mkdir, writeFile, stat, open } from 'node:fs/promises';
import { randomFillSync } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {
  DramCache, KvBlockPool, allocHostBuffer, convertSafetensors, deviceInfo, listenForBlocks, loadCheckpoint,
  readCheckpointIndex, readSafetensorsHeader, sendBlocks, writeSafetensors,
} from '../backend/native/index.ts';

const { values: a } = parseArgs({ options: {
  'size-gib': { type: 'string', default: '2' }, dir: { type: 'string', default: path.join(os.tmpdir(), 'fleetlab-bench') },
  threads: { type: 'string', default: '4' }, 'chunk-mib': { type: 'string', default: '32' }, keep: { type: 'boolean', default: false },
  rounds: { type: 'string', default: '2' }, reuse: { type: 'boolean', default: false },
} });
const rounds = Math.max(1, Number(a.rounds));
const sizeBytes = Math.round(Number(a['size-gib']) * 2 ** 30);
const threads = Number(a.threads);
const chunkBytes = Number(a['chunk-mib']) * 2 ** 20;
const dir = a.dir;
const rows: Array<[string, string, string]> = [];
const gb = (bytes: number, s: number) => bytes / s / 1e9;
const fmt = (x: number) => x.toFixed(2);
const now = () => performance.now() / 1e3;
function row(what: string, bytes: number, s: number): number {
  const g = gb(bytes, s);
  rows.push([what, `${fmt(s)} s`, `${fmt(g)} GB/s`]);
  return g;
}

let dropNote = '';
async function dropCaches(): Promise<boolean> {
  try {
    execFileSync('sync');
    await writeFile('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch (err) {
    dropNote = `page cache NOT dropped (${(err as NodeJS.ErrnoException).code ?? String(err)}; needs root): "cold" naive figures may be served from the page cache`;
    return false;
  }
}

await mkdir(dir, { recursive: true });
const fs = await statfs(dir);
const free = fs.bavail * fs.bsize;
if (free < sizeBytes * 2.2) {
  console.error(`not enough free disk in ${dir}: ${(free / 2 ** 30).toFixed(1)} GiB free, ${(sizeBytes * 2.2 / 2 ** 30).toFixed(1)} GiB needed (use --size-gib or --dir)`);
  process.exit(1);
}
const info = deviceInfo();
console.log(`fleetlab native benchmark: ${(sizeBytes / 2 ** 30).toFixed(2)} GiB checkpoint in ${dir}; threads=${threads} chunk=${chunkBytes >> 20} MiB`);
// Other processes share this machine's cores; the load average says how much the figures
// below may be disturbed.
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`CPUs: ${os.availableParallelism()}; load average at start: ${loadavg()}`);
console.log(`GPUs: ${info.devices.length ? info.devices.map((d) => d.name).join(', ') : `none (${info.note})`}; CPU path measured`);

// 1. A safetensors model of ~size bytes (64 MiB bf16 tensors plus an odd-sized tail).
const st = path.join(dir, 'model.safetensors');
const ck = path.join(dir, 'ckpt');
let t0 = now();
let index: Awaited<ReturnType<typeof readCheckpointIndex>>;
const reusable = a.reuse && (await stat(st).then((x) => x.size > sizeBytes, () => false));
if (reusable) {
  // --reuse (development only): keep the files of an earlier --keep run of the same size.
  index = await readCheckpointIndex(ck);
  console.log('prepared: reusing the files of an earlier --keep run');
} else {
  await rm(ck, { recursive: true, force: true });
  const pattern = Buffer.allocUnsafe(64 << 20);
  randomFillSync(pattern);
  const tensors = [];
  for (let left = sizeBytes, i = 0; left > 0; i++) {
    const n = Math.min(left, 64 << 20) & ~1;
    if (n === 0) break;
    tensors.push({ name: `layers.${i}.weight`, dtype: 'bf16' as const, shape: [n / 2], data: pattern.subarray(0, n) });
    left -= n;
  }
  await writeSafetensors(st, tensors);
  const stSeconds = now() - t0;
  t0 = now();
  index = await convertSafetensors([st], ck);
  console.log(`prepared: safetensors written in ${fmt(stSeconds)} s, converted in ${fmt(now() - t0)} s (${index.partitions.length} partition(s))`);
}

// 2+3. Raw direct-read bandwidth (dd, one stream, same file) and the loader's cold load,
// alternating, page cache dropped before each. The cold loads fill a DRAM cache (the first
// round's entry is evicted before the next so every round reads the disk).
const partBytes = index.partitions.reduce((n, p) => n + p.fileBytes, 0);
const partFiles = index.partitions.map((p) => path.join(ck, p.file));
const cache = new DramCache(sizeBytes + (1 << 30));
let ddBytes = 0, ddSeconds = 0, coldBytes = 0, coldSeconds = 0;
let cold: Awaited<ReturnType<typeof loadCheckpoint>> | undefined;
for (let r = 1; r <= rounds; r++) {
  await dropCaches();
  try {
    t0 = now();
    for (const f of partFiles) execFileSync('dd', [`if=${f}`, 'of=/dev/null', `bs=${chunkBytes}`, 'iflag=direct'], { stdio: 'ignore' });
    const s = now() - t0;
    row(`[round ${r}] dd iflag=direct bs=${chunkBytes >> 20}M (raw device, 1 stream)`, partBytes, s);
    ddBytes += partBytes;
    ddSeconds += s;
  } catch (err) {
    rows.push([`[round ${r}] dd iflag=direct`, 'failed', String(err).split('\n')[0]!]);
  }
  cache.clear();
  await dropCaches();
  cold = await loadCheckpoint(ck, { cache, threads, chunkBytes });
  row(`[round ${r}] fleetlab cold load (${cold.ioMode} I/O, ${threads} threads, source=${cold.source})`, cold.bytes, cold.seconds);
  for (const s of cold.stages) rows.push([`    stage ${s.stage}`, `${fmt(s.seconds)} s`, `${fmt(s.gbps)} GB/s`]);
  coldBytes += cold.bytes;
  coldSeconds += cold.seconds;
  cold.release();
}
const raw = ddSeconds > 0 ? gb(ddBytes, ddSeconds) : NaN;
const coldG = gb(coldBytes, coldSeconds);
rows.push([`dd total (${rounds} rounds)`, `${fmt(ddSeconds)} s`, `${fmt(raw)} GB/s`]);
rows.push([`fleetlab cold load total (${rounds} rounds)`, `${fmt(coldSeconds)} s`, `${fmt(coldG)} GB/s`]);
// The previous design for comparison: staged through pinned chunks + memcpy into the image.
await dropCaches();
const stagedLoad = await loadCheckpoint(ck, { threads, chunkBytes, readInPlace: false });
const stagedG = row('fleetlab cold load, staged through chunks (readInPlace: false)', stagedLoad.bytes, stagedLoad.seconds);
stagedLoad.release();

// Warm: the DRAM tier hands out views of its image (zero-copy; the caller must not write to
// them and must release()). Callers that need their own bytes copy on native threads.
const warm = await loadCheckpoint(ck, { cache, threads, chunkBytes });
const warmG = row(`fleetlab warm load (source=${warm.source}, zero-copy tensor views)`, warm.bytes, warm.seconds);
// Reference for the fresh-buffer rows: first touch of never-used memory. On a VM whose
// balloon reports free pages to the host this runs far below memory bandwidth and varies
// from run to run; every copy into a fresh buffer (fleetlab's or Buffer.from) pays it.
t0 = now();
allocHostBuffer(warm.bytes).fill(0);
row('  reference: first touch of fresh memory (alloc + fill(0), 1 thread)', warm.bytes, now() - t0);
t0 = now();
const fresh = allocHostBuffer(warm.bytes);
await warm.copyImageTo(fresh);
const warmCopyG = row(`fleetlab warm load + copyImageTo(fresh buffer, ${os.availableParallelism()} threads, first touch incl.)`, warm.bytes, warm.seconds + now() - t0);
t0 = now();
await warm.copyImageTo(fresh);
const warmReuseG = row('fleetlab warm load + copyImageTo(reused buffer)', warm.bytes, warm.seconds + now() - t0);
t0 = now();
const privateCopy = Buffer.from(warm.host!);
row('  for comparison: Buffer.from(image) (1 thread, fresh)', warm.bytes, now() - t0);
warm.release();
void privateCopy;

async function readWhole(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.allocUnsafeSlow(size);
    for (let at = 0; at < size;) {
      const { bytesRead } = await fh.read(buf, at, Math.min(1 << 30, size - at), at);
      if (bytesRead <= 0) throw new Error(`short read of ${file}`);
      at += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

// 4. Naive Node: readFile(safetensors) + parse header + copy every tensor out.
async function naive(): Promise<number> {
  const s0 = now();
  // readFile refuses files over 2 GiB (ERR_FS_FILE_TOO_LARGE); above that, the same
  // single-buffer read done by hand.
  const buf = (await stat(st)).size < 2 ** 31 ? await readFile(st) : await readWhole(st);
  const h = await readSafetensorsHeader(st);
  for (const t of h.tensors) Buffer.from(buf.subarray(t.begin, t.end));
  return now() - s0;
}
const dropped = await dropCaches();
const naiveCold = naive();
const naiveColdS = await naiveCold;
row(`naive readFile+copy, ${dropped ? 'cold (page cache dropped)' : 'page cache NOT dropped'}`, sizeBytes, naiveColdS);
const naiveWarmS = await naive();
const naiveG = row('naive readFile+copy, page cache warm', sizeBytes, naiveWarmS);

// 5. KV pool operations (host pools): 16 layers, 512 blocks of 16 tokens x 8 heads x 128 (bf16).
const kvSpec = { numLayers: 16, numBlocks: 512, blockSize: 16, numKvHeads: 8, headDim: 128, dtype: 'bf16' as const };
const src = new KvBlockPool(kvSpec);
const dst = new KvBlockPool(kvSpec);
const ids = Array.from({ length: 256 }, (_, i) => (i * 2) % 512);
const staging = Buffer.alloc(src.stagingBytes(ids.length), 1);
await src.scatter(ids, staging); // fault pages in
t0 = now(); await src.gather(ids, staging); row('KV gather (256 blocks, host)', staging.length, now() - t0);
t0 = now(); await src.scatter(ids, staging); row('KV scatter (256 blocks, host)', staging.length, now() - t0);
await src.copyTo(dst, ids, ids);
t0 = now(); await src.copyTo(dst, ids, ids); row('KV copy pool->pool (256 blocks, host)', staging.length, now() - t0);
const recv = await listenForBlocks(dst);
const tr = await sendBlocks(src, ids, ids, { port: recv.port });
row(`KV loopback TCP transfer (${tr.messages} msgs of ${(tr.bytes / tr.messages / 2 ** 20).toFixed(0)} MiB, window 4, crc32 off-thread)`, tr.bytes, tr.seconds);
await recv.close();

const w = Math.max(...rows.map((r) => r[0].length));
console.log('\n' + rows.map(([x, s, g]) => `${x.padEnd(w)}  ${s.padStart(9)}  ${g.padStart(12)}`).join('\n'));
console.log('\nratios');
console.log(`  cold load / raw direct read (totals of ${rounds} rounds) = ${fmt(coldG / raw)}  (target >= 0.90)`);
console.log(`  staged cold load / raw direct read                = ${fmt(stagedG / raw)}  (previous design)`);
console.log(`  warm (DRAM) load, zero-copy views / naive (warm)  = ${fmt(warmG / naiveG)}x  (target >= 5x)`);
console.log(`  warm load + copy into a fresh buffer / naive      = ${fmt(warmCopyG / naiveG)}x  (target >= 5x)`);
console.log(`  warm load + copy into a reused buffer / naive     = ${fmt(warmReuseG / naiveG)}x`);
console.log(`  cold load / naive (same cache state)              = ${fmt(coldG / gb(sizeBytes, naiveColdS))}x`);
console.log(`load average at end: ${loadavg()}`);
if (dropNote) console.log(`note: ${dropNote}`);
if (!a.keep) await rm(dir, { recursive: true, force: true });
