/**
 * The test command of the mutation run: runs ava test files in this one process through
 * `ava-shim.ts` (see there why) and exits 1 at the first failing test, 0 when all pass.
 *   node --import tsx test/mutation/run.ts test/policies [more folders or *.test.ts files]
 */
import { readdirSync, statSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

register('./resolve-ava.mjs', import.meta.url);
const { hooks, registered, ShimContext } = await import('./ava-shim.ts');

function testFiles(target: string): string[] {
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join(target, f));
}

const targets = process.argv.slice(2);
if (targets.length === 0) throw new Error('usage: run.ts <test folder or file>...');
for (const file of targets.flatMap(testFiles)) await import(pathToFileURL(path.resolve(file)).href);

let passed = 0;
let skipped = 0;
try {
  for (const hook of hooks.before) await hook(new ShimContext('before hook'));
  for (const { title, fn, skip } of registered) {
    if (skip) {
      skipped++;
      continue;
    }
    const t = new ShimContext(title);
    await fn(t);
    await t.finish();
    passed++;
  }
  for (const hook of hooks.after) await hook(new ShimContext('after hook'));
} catch (error) {
  console.error(`FAIL after ${passed} passing tests:`, error instanceof Error ? error.message : error);
  process.exit(1);
}
console.log(`${passed} tests passed, ${skipped} skipped`);
