import test from 'ava';
import { addonCandidates, deviceInfo, loadAddon } from '../../backend/native/index.ts';

test('addon loads and reports devices (zero on machines without a driver)', (t) => {
  const addon = loadAddon();
  t.is(addon.abiVersion, 3);
  const info = deviceInfo();
  t.true(Array.isArray(info.devices));
  if (info.devices.length === 0) t.true(info.note.length > 0, 'an empty list says why');
});

test('candidate list starts with the override and names the build folder', (t) => {
  process.env['FLEETLAB_NATIVE_ADDON'] = '/nonexistent/x.node';
  try {
    const c = addonCandidates();
    t.is(c[0], '/nonexistent/x.node');
    t.true(c.some((p) => p.endsWith('cuda/build/Release/fleetlab_native.node')));
  } finally {
    delete process.env['FLEETLAB_NATIVE_ADDON'];
  }
});

test('native argument checks throw TypeErrors rather than crashing', (t) => {
  const addon = loadAddon();
  t.throws(() => new addon.KvPool(-1 as number, 1, 1, -1), { message: /layers/ });
  t.throws(() => addon.loadToHost(['x'], new Float64Array([1]), new Float64Array([0]), 1, 4096, 2, true, 'nope' as never), { instanceOf: TypeError, message: /dest/ });
});
