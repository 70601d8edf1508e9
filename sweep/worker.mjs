// Piscina worker. In the compiled tree (dist/, scripts/build.mjs) run-point.js sits beside this
// file. From the sources, worker threads start without the parent's TypeScript loader when the
// parent registered tsx through its API (bin/fleetlab.js), so register it before importing the
// .ts runner; under `node --import tsx` the loader is inherited and registering again is harmless.
import { existsSync } from 'node:fs';

const compiled = new URL('./run-point.js', import.meta.url);
let runPoint;
if (existsSync(compiled)) {
  ({ runPoint } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runPoint } = await import('./run-point.ts'));
}

export default runPoint;
