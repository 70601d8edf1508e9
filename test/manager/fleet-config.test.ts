// The fleet config's `external` servers and `scheduler.scaling`: validated with errors that
// name the field, and handed to the manager.
import test from 'ava';
import { fleetOptions, parseFleetConfig } from '../../backend/manager/fleet-config.ts';

test('external servers: parsed with defaults and passed on; instances may be 0 only beside them', (t) => {
  const c = parseFleetConfig({ instances: 0, external: [{ url: 'http://127.0.0.1:8001', kv_blocks: 64 }] });
  t.like(c.external[0], { url: 'http://127.0.0.1:8001', kv_blocks: 64, poll_interval_s: 0.05, missed_polls: 3 });
  t.like(fleetOptions(c), { instances: 0, external: [{ url: 'http://127.0.0.1:8001' }] });
  t.false('external' in fleetOptions(parseFleetConfig({})), 'no external key for a fleet without them');
  t.throws(() => parseFleetConfig({ instances: 0 }), { message: /instances.*at least 1 instance, or nodes, or external servers/s });
  t.throws(() => parseFleetConfig({ external: [{ url: 'http://h:1', poll_interval_s: 0 }] }), { message: /external\[0\]\.poll_interval_s/ });
  t.throws(() => parseFleetConfig({ external: [{ url: 'http://h:1', colour: 'red' }] }), { message: /external\[0\]/ });
});

test('scheduler.scaling is the simulator\'s section, validated the same way', (t) => {
  const c = parseFleetConfig({ scheduler: { dispatch: { kind: 'load' }, scaling: { kind: 'avg_load', min_instances: 1, max_instances: 3 } } });
  t.like(c.scheduler.scaling, { kind: 'avg_load', interval_s: 10, first_check_s: 100, max_instances: 3 });
  t.throws(() => parseFleetConfig({ scheduler: { dispatch: { kind: 'load' }, scaling: { kind: 'avg_load', min_instances: 3, max_instances: 2 } } }), { message: /scheduler\.scaling\.min_instances/ });
});

test('migration: Llumnix\'s defaults, every field validated by name, and handed to the manager', (t) => {
  const c = parseFleetConfig({});
  t.deepEqual(c.migration, { max_stages: 3, last_stage_max_blocks: 16, max_concurrency: 1, last_stage_mode: 'suspend' });
  t.deepEqual(fleetOptions(c).migration, c.migration);
  const snapshot = parseFleetConfig({ migration: { last_stage_mode: 'snapshot', max_stages: 2 } });
  t.like(fleetOptions(snapshot).migration, { last_stage_mode: 'snapshot', max_stages: 2, last_stage_max_blocks: 16 });
  t.throws(() => parseFleetConfig({ migration: { max_stages: 0 } }), { message: /migration\.max_stages/ });
  t.throws(() => parseFleetConfig({ migration: { last_stage_mode: 'pause' } }), { message: /migration\.last_stage_mode/ });
  t.throws(() => parseFleetConfig({ migration: { stages: 3 } }), { message: /migration/ });
  t.throws(() => parseFleetConfig({ engine: { kind: 'vllm-v0' }, migration: { last_stage_mode: 'snapshot' } }), { message: /migration\.last_stage_mode.*vllm-v1/s });
});
