// Piscina worker for the ServerlessLLM sweeps: registers the TypeScript loader (as
// sweep/worker.mjs does) and runs one task.
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./sweep.ts');

export default runTask;
