// Piscina worker. Worker threads start without the parent's TypeScript loader when the parent
// registered tsx through its API (bin/fleetlab.js), so register it here before importing the
// .ts runner. Under `node --import tsx` the loader is inherited and registering again is harmless.
import { register } from 'tsx/esm/api';

register();
const { runPoint } = await import('./run-point.ts');

export default runPoint;
