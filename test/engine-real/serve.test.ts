// `fleetlab serve` as a user starts it: a process that starts the fleet (2 instance processes
// of the tiny model) and the OpenAI API; the official `openai` client talks to it; SIGTERM
// stops everything, instance processes included.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import OpenAI from 'openai';
import { alive, until } from './helpers.ts';

const cache = mkdtempSync(join(tmpdir(), 'fleetlab-serve-'));
test.after.always(() => rmSync(cache, { recursive: true, force: true }));

test('fleetlab serve: chat (streamed and whole) and completions through the openai client; SIGTERM stops every process', async (t) => {
  const child = spawn(process.execPath, ['bin/fleetlab.js', 'serve', '--port', '0'], { env: { ...process.env, FLEETLAB_CACHE_DIR: cache }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const ready = await new Promise<{ url: string; pids: number[] }>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const msg = JSON.parse(line) as { ready?: boolean; url: string; pids: number[] };
        if (msg.ready) resolve(msg);
      });
      void exited.then((code) => reject(new Error(`fleetlab serve exited (${code}) before it was ready`)));
    });
    t.is(ready.pids.length, 2, 'two instance processes');
    const client = new OpenAI({ baseURL: `${ready.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const models = await client.models.list();
    t.deepEqual(models.data.map((m) => m.id), ['tiny']);

    const whole = await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'hello' }], max_tokens: 8, temperature: 0 });
    t.is(whole.choices[0]?.finish_reason, 'length');
    t.is(whole.usage?.completion_tokens, 8);

    const stream = await client.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'hello' }], max_tokens: 8, temperature: 0, stream: true });
    let streamed = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    t.is(streamed, whole.choices[0]?.message.content ?? '', 'greedy: the streamed answer equals the whole one');
    t.is(finish, 'length');

    const completion = await client.completions.create({ model: 'tiny', prompt: 'the fleet', max_tokens: 5, temperature: 0 });
    t.is(completion.usage?.completion_tokens, 5);

    child.kill('SIGTERM');
    t.is(await exited, 0);
    // `serve` exits after its instance processes did; polled (with a guard) rather than paused for.
    await until('no instance process is left', () => !ready.pids.some(alive), 30_000);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
