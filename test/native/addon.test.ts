import test from 'ava';
import { addonCandidates, deviceInfo, loadAddon } from '../../backend/native/index.ts';
import { gpuPresent, gpuReason, noGpuReason } from './hardware.ts';

test('addon loads with the expected ABI version', (t) => {
  t.is(loadAddon().abiVersion, 4);
});

// Hardware decides which of the next two runs; the other is skipped saying why.
(gpuPresent ? test.skip : test)(`without a GPU the device list is empty and says why${gpuPresent ? ` (skipped: ${gpuReason})` : ''}`, (t) => {
  const info = deviceInfo();
  t.deepEqual(info.devices, []);
  // Built with CUDA: the runtime's error (e.g. cudaErrorInsufficientDriver, cudaErrorNoDevice);
  // built without: says so.
  t.regex(info.note, info.compiledWithCuda ? /cudaGetDeviceCount failed with cudaError\w+|no device visible/ : /built without CUDA/);
});

(gpuPresent ? test : test.skip)(`with a GPU every visible device is described${gpuPresent ? '' : ` (skipped: ${noGpuReason})`}`, (t) => {
  const info = deviceInfo();
  t.true(info.compiledWithCuda, 'a GPU is present but the addon was built without CUDA: rebuild with nvcc on PATH');
  t.true(info.devices.length > 0, `no device listed: ${info.note}`);
  info.devices.forEach((d, i) => {
    t.is(d.index, i);
    t.true(d.name.length > 0);
    t.true(d.totalBytes >= 1 << 30, `device ${i}: ${d.totalBytes} bytes`);
    t.regex(d.computeCapability, /^\d+\.\d+$/);
    t.regex(d.pciBusId, /^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-9a-f]$/i);
  });
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
