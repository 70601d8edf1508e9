import test from 'ava';
import { Band, Simulation } from '../../sim/index.ts';

test('same-time events run in (time, band, seq) order, whatever order they were scheduled in', (t) => {
  const sim = new Simulation(1);
  const log: string[] = [];
  sim.at(1, Band.stepStart, () => log.push('start'));
  sim.at(1, Band.arrival, () => log.push('arrival-a'));
  sim.at(1, Band.control, () => log.push('control'));
  sim.at(1, Band.arrival, () => log.push('arrival-b'));
  sim.at(1, Band.migration, () => log.push('migration'));
  sim.at(1, Band.stepEnd, () => log.push('end'));
  sim.at(0.5, Band.stepStart, () => log.push('earlier'));
  sim.run();
  t.deepEqual(log, ['earlier', 'end', 'migration', 'arrival-a', 'arrival-b', 'control', 'start']);
});

test('an event scheduled for now from a handler runs after already-queued events of its band', (t) => {
  const sim = new Simulation(1);
  const log: string[] = [];
  sim.at(2, Band.arrival, () => {
    log.push('first');
    sim.at(2, Band.arrival, () => log.push('follow-up'));
    sim.at(2, Band.stepEnd, () => log.push('late step end'));
  });
  sim.at(2, Band.arrival, () => log.push('second'));
  sim.run();
  // Bands order events that are queued together; a lower band added later still jumps ahead.
  t.deepEqual(log, ['first', 'late step end', 'second', 'follow-up']);
});

test('run(until) stops before later events and advances the clock to until', (t) => {
  const sim = new Simulation(1);
  const log: number[] = [];
  for (const time of [1, 2, 3]) sim.at(time, Band.control, () => log.push(time));
  sim.run({ until_s: 2.5 });
  t.deepEqual(log, [1, 2]);
  t.is(sim.now_s, 2.5);
  t.is(sim.peek()?.time_s, 3);
  t.true(sim.step());
  t.false(sim.step());
});

test('scheduling in the past or at NaN is refused', (t) => {
  const sim = new Simulation(1);
  sim.at(5, Band.control, () => {});
  sim.run();
  t.throws(() => sim.at(4, Band.control, () => {}), { message: /cannot schedule at 4 s: now is 5 s/ });
  t.throws(() => sim.after(Number.NaN, Band.control, () => {}), { message: /NaN/ });
});

test('ids and random streams belong to one simulation: two simulations agree', (t) => {
  const a = new Simulation(42);
  const b = new Simulation(42);
  t.deepEqual([a.nextId('request'), a.nextId('request'), a.nextId('instance')], [0, 1, 0]);
  t.deepEqual([b.nextId('request'), b.nextId('instance')], [0, 0]);
  const drawsA = [a.rng.stream('arrivals')(), a.rng.stream('lengths')()];
  // Drawing from another stream first must not shift this one.
  b.rng.stream('lengths')();
  const drawsB = [b.rng.stream('arrivals')(), new Simulation(42).rng.stream('lengths')()];
  t.deepEqual(drawsA, drawsB);
  t.not(new Simulation(43).rng.stream('arrivals')(), drawsA[0]);
});

test('atEach runs the same events in the same order as one `at` per item, interleaved with queued events', (t) => {
  const times = [0.5, 1, 1, 1, 2, 2, 3];
  const schedule = (useStream: boolean): string[] => {
    const sim = new Simulation(1);
    const log: string[] = [];
    sim.at(1, Band.arrival, () => log.push('queued-before'));
    if (useStream) sim.atEach(times, (x) => x, Band.arrival, (x) => log.push(`item@${x}`));
    else for (const x of times) sim.at(x, Band.arrival, () => log.push(`item@${x}`));
    sim.at(1, Band.arrival, () => {
      log.push('queued-after');
      sim.at(2, Band.stepEnd, () => log.push('step-end@2'));
      sim.at(2, Band.arrival, () => log.push('late-arrival@2'));
    });
    sim.at(1, Band.stepEnd, () => log.push('step-end@1'));
    t.is(sim.pending, times.length + 3);
    sim.run();
    t.is(sim.pending, 0);
    return log;
  };
  const streamed = schedule(true);
  t.deepEqual(streamed, schedule(false));
  t.deepEqual(streamed.slice(0, 3), ['item@0.5', 'step-end@1', 'queued-before']);
});

test('atEach with times out of order queues each event (same order as `at`)', (t) => {
  const sim = new Simulation(1);
  const log: number[] = [];
  sim.atEach([3, 1, 2], (x) => x, Band.control, (x) => log.push(x));
  t.is(sim.pending, 3);
  sim.run();
  t.deepEqual(log, [1, 2, 3]);
});
