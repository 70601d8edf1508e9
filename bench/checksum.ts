// Cost of checkpoint integrity checks: loads one checkpoint with and without the CRC-32
// verification (alternating, page cache warm after the first read) and prints the medians.
//   npx tsx bench/checksum.ts [--size-mib 512] [--rounds 3] [--dir /tmp]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { crc32 } from 'node:zlib';
import { loadCheckpoint, writeCheckpoint } from '../backend/native/index.ts';

const { values: a } = parseArgs({ options: { 'size-mib': { type: 'string', default: '512' }, rounds: { type: 'string', default: '3' }, dir: { type: 'string', default: os.tmpdir() } } });
const size = Number(a['size-mib']) * 2 ** 20;
const rounds = Number(a.rounds);
const dir = await mkdtemp(path.join(a.dir, 'fleetlab-crc-bench-'));
const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
try {
  const tensor = 64 << 20;
  const tensors = Array.from({ length: Math.ceil(size / tensor) }, (_, i) => {
    const data = Buffer.allocUnsafe(Math.min(tensor, size - i * tensor));
    for (let j = 0; j < data.length; j += 4096) data[j] = (i * 7 + j) & 0xff;
    return { name: `t${i}`, dtype: 'u8' as const, shape: [data.length], data };
  });
  let t0 = performance.now();
  await writeCheckpoint(path.join(dir, 'ck'), tensors, { partitionBytes: 256 << 20 });
  const writeS = (performance.now() - t0) / 1e3;
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const t of tensors) crc32(t.data);
  const crcOnlyS = (performance.now() - t0) / 1e3;
  const crcCpuS = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 2e6;
  const times = { on: [] as number[], off: [] as number[], verify: [] as number[] };
  await (await loadCheckpoint(path.join(dir, 'ck'), { verify: false })).release(); // warm the page cache
  for (let r = 0; r < rounds; r++) {
    for (const verify of [false, true]) {
      const ck = await loadCheckpoint(path.join(dir, 'ck'), { verify });
      (verify ? times.on : times.off).push(ck.seconds);
      if (verify) times.verify.push(ck.stages.find((s) => s.stage === 'verify CRC-32')!.seconds);
      ck.release();
    }
  }
  const gib = size / 2 ** 30;
  console.log(`checkpoint ${(size / 2 ** 20).toFixed(0)} MiB (${tensors.length} tensors, 256 MiB partitions); write with CRC: ${writeS.toFixed(2)} s; zlib crc32 alone on the main thread: ${crcOnlyS.toFixed(3)} s (${(gib / crcOnlyS).toFixed(1)} GiB/s wall, ${(gib / crcCpuS).toFixed(1)} GiB/s of CPU time)`);
  console.log(`load, median of ${rounds} (page cache warm): verify off ${median(times.off).toFixed(3)} s, verify on ${median(times.on).toFixed(3)} s, of which CRC-32 ${median(times.verify).toFixed(3)} s (${(gib / median(times.verify)).toFixed(1)} GiB/s); overhead ${(((median(times.on) - median(times.off)) / median(times.off)) * 100).toFixed(0)} %; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} CPUs`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
