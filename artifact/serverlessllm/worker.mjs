// Piscina worker for the ServerlessLLM sweeps: runs one task with the compiled sweep.js beside
// it (dist/), or registers the TypeScript loader first when run from the sources (as
// sweep/worker.mjs does).
import { existsSync } from 'node:fs';

const compiled = new URL('./sweep.js', import.meta.url);
let runTask;
if (existsSync(compiled)) {
  ({ runTask } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runTask } = await import('./sweep.ts'));
}

export default runTask;
