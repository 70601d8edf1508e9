/**
 * The wall clock that processes of one fleet stamp events with (`…_unix_ms` fields: a request's
 * arrival at its instance, a token's production, a step's start, a migration's commit), so a
 * stamp of an instance and one of the manager can be subtracted.
 *
 * `performance.timeOrigin + performance.now()` reads the Unix time as the process saw it when
 * it started, advanced by the monotonic clock; each process pairs the two clocks once, at its
 * start. Two processes then disagree by whatever went wrong in either pairing: a wall-clock
 * step (NTP, the hypervisor) between their starts, or a start-up descheduled between its read
 * of the wall clock and of the monotonic clock, which on a loaded machine is milliseconds. A
 * latency measured across them (a request's dispatch, a token's delivery) gains or loses it:
 * seen under CI load as a dispatch of 61.7 ms and a negative delivery, and reproduced with
 * three busy loops beside the fidelity test (negative dispatches of 0.3–2.7 ms in 4 runs of
 * 4). So the first process of a fleet publishes its mapping, Unix time minus the monotonic
 * clock, in its environment; every process it starts on the same machine (instances, agents,
 * inheriting the variable) maps the monotonic clock, which is one clock for the whole machine,
 * with that same constant; and each process finds its own `performance.now()` origin on the
 * monotonic clock from tight brackets of reads (`monotonicAtOriginMs`).
 * A process started without the variable (the first one, or one started by hand on another
 * machine, whose monotonic clock is unrelated) uses its own mapping, as before.
 */

/** Unix ms minus monotonic ms (`process.hrtime`), as the fleet's first process measured it. */
export const CLOCK_ENV = 'FLEETLAB_UNIX_MINUS_MONOTONIC_MS';

/**
 * The Unix time in ms at `performance.now() === 0` in this process, given the monotonic time at
 * that instant and, when inherited, the fleet's mapping. Without one, `timeOrigin` itself.
 */
export function unixOriginMs(timeOrigin: number, monotonicAtOrigin: number, inherited: string | undefined): number {
  if (inherited === undefined || inherited === '') return timeOrigin;
  const unixMinusMonotonic = Number(inherited);
  if (!Number.isFinite(unixMinusMonotonic)) throw new RangeError(`${CLOCK_ENV} must be a number of ms (Unix time minus the monotonic clock), received ${JSON.stringify(inherited)}`);
  return monotonicAtOrigin + unixMinusMonotonic;
}

/**
 * The monotonic clock (ms) at this process's `performance.now() === 0`. Both clocks read
 * uv_hrtime, so they differ by a constant; it is read as `performance.now()` between two reads
 * of `process.hrtime`, keeping the tightest of a few brackets: a process descheduled between
 * two reads (under load, for milliseconds) would otherwise put that delay into every stamp.
 */
export function monotonicAtOriginMs(tries = 16): number {
  let tightest = Number.POSITIVE_INFINITY;
  let origin = 0;
  for (let i = 0; i < tries; i++) {
    const before = process.hrtime.bigint();
    const now = performance.now();
    const after = process.hrtime.bigint();
    const gap_ns = Number(after - before);
    if (gap_ns < tightest) {
      tightest = gap_ns;
      origin = (Number(before) + gap_ns / 2) / 1e6 - now;
    }
  }
  return origin;
}

const monotonicAtOrigin = monotonicAtOriginMs();

/** Unix ms at `performance.now() === 0`: `UNIX_ORIGIN_MS + performance.now()` is the fleet's wall clock now. */
export const UNIX_ORIGIN_MS = unixOriginMs(performance.timeOrigin, monotonicAtOrigin, process.env[CLOCK_ENV]);

/** This process's mapping (Unix ms minus monotonic ms), the value its children inherit. */
export const UNIX_MINUS_MONOTONIC_MS = UNIX_ORIGIN_MS - monotonicAtOrigin;

// Every process this one starts from now on (instances, agents) inherits the mapping; an empty
// value counts as none, as in `unixOriginMs`.
if (process.env[CLOCK_ENV] === undefined || process.env[CLOCK_ENV] === '') process.env[CLOCK_ENV] = String(UNIX_MINUS_MONOTONIC_MS);

/** The fleet's wall clock now, in ms since the Unix epoch. */
export function unixNowMs(): number {
  return UNIX_ORIGIN_MS + performance.now();
}
