// A local fleet's instance processes go with the process that started them: `fleetlab serve`
// killed with SIGKILL (or crashing, or stopped before its signal handlers were set) left its
// instances running, orphaned, holding their ports and memory.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import test from 'ava';
import { alive, until } from '../waiting.ts';


test('instances of LocalInstances exit when their manager process is killed with SIGKILL', async (t) => {
  const sourceUrl = new URL('../../backend/manager/instance-source.ts', import.meta.url).href;
  // A stand-in manager: starts one tiny instance, prints its pid, then waits to be killed.
  const script = `const { LocalInstances } = await import(${JSON.stringify(sourceUrl)});
const [instance] = await new LocalInstances(1).startAll({ model: 'tiny' });
console.log(instance.pid);
setInterval(() => {}, 1000);`;
  const manager = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve, reject) => {
    createInterface({ input: manager.stdout! }).once('line', (line) => resolve(Number(line)));
    manager.once('exit', (code) => reject(new Error(`manager exited (${code}) before its instance was ready`)));
  });
  t.true(Number.isInteger(pid) && alive(pid), `instance ${pid} runs`);
  manager.kill('SIGKILL');
  // Bounded wait for the instance to notice its stdin closed (not a timing assertion: a generous cap).
  await until(`instance ${pid} exiting`, () => !alive(pid), 30_000).catch(() => undefined);
  const orphaned = alive(pid);
  if (orphaned) process.kill(pid, 'SIGKILL');
  t.false(orphaned, `instance ${pid} outlived its manager`);
});
