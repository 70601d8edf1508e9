import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { CLOCK_ENV, monotonicAtOriginMs, UNIX_MINUS_MONOTONIC_MS, UNIX_ORIGIN_MS, unixOriginMs } from '../../backend/rpc/machine-clock.ts';

test('two processes started across a wall-clock step agree once they share the mapping', (t) => {
  // Process A starts at monotonic 1,000 ms when the wall clock reads 1,700,000,000,000; the
  // wall clock is then stepped forward 61.7 ms; process B starts at monotonic 5,000 ms.
  const stepMs = 61.7;
  const a = { timeOrigin: 1_700_000_000_000, monotonicAtOrigin: 1_000 };
  const b = { timeOrigin: a.timeOrigin + (5_000 - 1_000) + stepMs, monotonicAtOrigin: 5_000 };
  const unixAt = (p: typeof a, origin: number, monotonic: number): number => origin + (monotonic - p.monotonicAtOrigin);
  // Each on its own mapping (the old stamps): the same instant reads 61.7 ms apart.
  const ownA = unixOriginMs(a.timeOrigin, a.monotonicAtOrigin, undefined);
  const ownB = unixOriginMs(b.timeOrigin, b.monotonicAtOrigin, undefined);
  t.is(ownA, a.timeOrigin);
  t.true(Math.abs(unixAt(b, ownB, 7_000) - unixAt(a, ownA, 7_000) - stepMs) < 1e-3, "1e-3 ms: the ulp of a Unix time in ms is ~2e-4");
  // B inherits A's mapping: the same instant reads the same.
  const mapping = String(a.timeOrigin - a.monotonicAtOrigin);
  const inheritedB = unixOriginMs(b.timeOrigin, b.monotonicAtOrigin, mapping);
  t.true(Math.abs(unixAt(b, inheritedB, 7_000) - unixAt(a, ownA, 7_000)) < 1e-3);
});

test('a mapping that is not a number is refused, naming the variable and the value', (t) => {
  const error = t.throws(() => unixOriginMs(0, 0, 'soon'), { instanceOf: RangeError });
  t.regex(error?.message ?? '', new RegExp(`${CLOCK_ENV}.*"soon"`));
});

test('this process publishes its mapping, and a child process stamps with the mapping it inherits', (t) => {
  t.is(process.env[CLOCK_ENV], String(UNIX_MINUS_MONOTONIC_MS));
  t.true(Math.abs(UNIX_ORIGIN_MS - performance.timeOrigin) < 1_000, 'the first process of a fleet keeps its own wall clock');
  // A child told of a mapping one second later than this process's stamps one second later:
  // it follows the inherited variable, not its own start-up reading of the wall clock.
  const module = fileURLToPath(new URL('../../backend/rpc/machine-clock.ts', import.meta.url));
  // unixNowMs() is read between two monotonic readings: the child may be descheduled between
  // any two reads on a loaded machine, so its stamp is checked against that bracket (plus the
  // 1 ms the start-up estimate of the origin may be off), not against one neighbouring reading.
  const script = `const c = await import(${JSON.stringify(module)}); const mono = () => Number(process.hrtime.bigint()) / 1e6; const before = mono(); const unix = c.unixNowMs(); const after = mono(); console.log(JSON.stringify({ unix, before, after }));`;
  const shifted = UNIX_MINUS_MONOTONIC_MS + 1_000;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, [CLOCK_ENV]: String(shifted) }, encoding: 'utf8' });
  const { unix, before, after } = JSON.parse(out) as { unix: number; before: number; after: number };
  t.true(unix > before + shifted - 1 && unix < after + shifted + 1, `child stamped ${unix}, expected within [${before + shifted}, ${after + shifted}] ± 1 ms`);
});

test('the monotonic clock at performance.now() = 0 is read within microseconds, however busy the machine', (t) => {
  // Each reading keeps the tightest of 16 brackets of two hrtime reads around performance.now():
  // two readings agree closely although either read pair may be descheduled for milliseconds.
  const a = monotonicAtOriginMs();
  const b = monotonicAtOriginMs();
  t.true(Math.abs(a - b) < 0.05, `${a} and ${b} ms`);
});
