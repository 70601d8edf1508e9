// `fleetlab agent` as a user runs it: listens on its --host, prints its ready line with the
// measured bandwidths, answers node reports, and on SIGTERM stops and removes its DRAM tier.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NodeReportMessage } from '../../backend/rpc/agent-messages.ts';
import { AgentClient } from '../../backend/rpc/agent-client.ts';

const BIN = fileURLToPath(new URL('../../bin/fleetlab.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'fleetlab-agent-cli-'));
const dram = join(mkdtempSync('/dev/shm/fleetlab-agent-cli-'), 'tier');
test.after.always(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(join(dram, '..'), { recursive: true, force: true });
});

test('fleetlab agent: ready line, node reports, SIGTERM removes the DRAM tier', async (t) => {
  const child = spawn(process.execPath, [BIN, 'agent', '--host', '127.0.0.4', '--port', '0', '--models-dir', join(work, 'models'), '--dram-dir', dram, '--probe-mib', '1', '--dram-cache-gib', '0.5'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const ready = await new Promise<{ host: string; port: number; bandwidths: { disk_read_gbps: number; disk_io_mode: string } }>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => resolve(JSON.parse(line)));
      void exited.then((code) => reject(new Error(`fleetlab agent exited (${code}) before its ready line`)));
    });
    t.is(ready.host, '127.0.0.4');
    t.true(ready.port > 0);
    t.true(ready.bandwidths.disk_read_gbps > 0);
    t.true(existsSync(dram), 'the DRAM tier folder exists while the agent runs');
    const client = new AgentClient(`127.0.0.4:${ready.port}`);
    const report = await new Promise<NodeReportMessage>((resolve) => client.subscribeReports(100, resolve, () => undefined));
    client.close();
    t.is(report.node, `127.0.0.4:${ready.port}`);
    t.is(report.dram_capacity_bytes, 2 ** 29);
    t.deepEqual(report.instances, []);
    child.kill('SIGTERM');
    t.is(await exited, 0);
    t.false(existsSync(dram), 'SIGTERM removed the DRAM tier');
  } finally {
    child.kill('SIGKILL');
  }
});
