import type { ExecutionContext } from 'ava';
import { createApiServer, StaticEngineRouter, type ApiServer, type ApiServerOptions } from '../../backend/api/index.ts';
import { TestEngine, type TestEngineOptions } from './test-engine.ts';

/** A server with one test engine on 127.0.0.1, a free port, closed when the test ends. */
export async function startServer(
  t: ExecutionContext,
  engineOptions: TestEngineOptions = {},
  serverOptions: Omit<ApiServerOptions, 'router'> = {},
): Promise<{ url: string; engine: TestEngine; server: ApiServer }> {
  const engine = new TestEngine(engineOptions);
  const server = createApiServer({ router: new StaticEngineRouter([engine]), ...serverOptions });
  const url = await server.listen({ port: 0 });
  t.teardown(() => server.close());
  return { url, engine, server };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** Prometheus text format → `name{sorted labels}` → value. Comment lines are checked for HELP/TYPE pairs. */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels = (m[2] ?? '')
      .split(/,(?=[a-zA-Z_]+=)/)
      .filter((l) => l !== '')
      .sort()
      .join(',');
    samples.set(`${m[1]}{${labels}}`, Number(m[3]));
  }
  return samples;
}

export function sample(samples: Map<string, number>, name: string, labels: Record<string, string>): number | undefined {
  const key = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  return samples.get(`${name}{${key}}`);
}
