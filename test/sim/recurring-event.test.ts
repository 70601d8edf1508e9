import test from 'ava';
import { Band, RecurringEvent, Simulation } from '../../sim/kernel/index.ts';

test('a recurring event runs in the same (time, band, seq) order as `at` would, occurrence after occurrence', (t) => {
  // The same schedule twice: once with a fresh `at` event per occurrence, once with one reused object.
  const schedule = (recurring: boolean): string[] => {
    const sim = new Simulation(1);
    const log: string[] = [];
    let n = 0;
    const tick = (): void => {
      log.push(`tick${n}@${sim.now_s}`);
      if (++n < 4) {
        sim.at(sim.now_s, Band.stepStart, () => log.push(`other@${sim.now_s}`));
        if (recurring) sim.atRecurring(event, sim.now_s + 0.5);
        else sim.at(sim.now_s + 0.5, Band.stepEnd, tick);
      }
    };
    const event = new RecurringEvent(Band.stepEnd, tick, undefined);
    sim.at(1, Band.arrival, () => log.push('arrival@1'));
    sim.at(1.5, Band.arrival, () => log.push('arrival@1.5'));
    if (recurring) sim.atRecurring(event, 1);
    else sim.at(1, Band.stepEnd, tick);
    sim.run();
    return log;
  };
  const reused = schedule(true);
  t.deepEqual(reused, schedule(false));
  t.deepEqual(reused.slice(0, 3), ['tick0@1', 'arrival@1', 'other@1']);
  t.is(reused.filter((line) => line.startsWith('tick')).length, 4);
});

test('a recurring event queued again before it has run is refused, as is a time in the past', (t) => {
  const sim = new Simulation(1);
  const event = new RecurringEvent(Band.stepStart, () => undefined, undefined);
  sim.atRecurring(event, 2);
  t.true(event.queued);
  t.throws(() => sim.atRecurring(event, 3), { message: /queued twice.*at 2 s/ });
  sim.run();
  t.false(event.queued);
  t.throws(() => sim.atRecurring(event, 1), { message: /cannot schedule at 1 s: now is 2 s/ });
  sim.atRecurring(event, 2); // once run, it may be queued again, even for now
  t.is(sim.pending, 1);
});
