// The mistakes a new user makes first (a misspelt trace or preset, a rate with a typo, a sweep
// file that is missing or malformed): each must stop the command before it writes anything, with
// a message naming the option or field, the value given and what was expected.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';

const run = promisify(execFile);
const bin = new URL('../../bin/fleetlab.js', import.meta.url).pathname;

/** Runs fleetlab with `args`, expects a non-zero exit, and returns its stderr. */
async function failure(t: { throwsAsync: (p: Promise<unknown>) => Promise<unknown> }, args: string[]): Promise<string> {
  const error = await t.throwsAsync(run(process.execPath, [bin, ...args]));
  return String((error as { stderr?: string }).stderr);
}

test('quickstart --trace with the wrong spelling names the flag, the value, the labels and the nearest one', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'fleetlab-first-')), 'q');
  const stderr = await failure(t, ['quickstart', '--trace', 'MM', '--requests', '50', '--out', out]);
  t.regex(stderr, /--trace <label>.*expected one of ShareGPT \| BurstGPT \| S-S \| M-M \| L-L \| S-L \| L-S, received "MM" \(did you mean M-M\?\)/);
  t.false(existsSync(out));
});

test('quickstart --rate refuses a number with trailing letters instead of running at its prefix', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'fleetlab-first-')), 'q');
  const stderr = await failure(t, ['quickstart', '--rate', '8x', '--requests', '50', '--out', out]);
  t.regex(stderr, /--rate <req\/s>.*expected a number > 0, received "8x"/);
  t.false(existsSync(out));
});

test('quickstart --requests 0 is refused as a flag, not as a preset field', async (t) => {
  const stderr = await failure(t, ['quickstart', '--requests', '0', '--out', join(tmpdir(), 'never-fleetlab-first')]);
  t.regex(stderr, /--requests <n>.*expected a positive integer, received "0"/);
});
