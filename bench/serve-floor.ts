// bench:serve table 2d: the floor under the API's per-token path on this machine. A bare
// node:http server streams the same SSE events a completion stream carries (one event per token
// and stream, each a chunk of the same shape, framed by the API's own SseWriter) to the same
// client, one event per stream per turn of the event loop as an engine step would hand them
// out; no engine, no fastify, no manager, no gRPC. What it costs per token is what any API that
// streams one event per token pays here, so the API's overhead against a model whose token
// costs less than ~20× this floor cannot be under 5 %.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseWriter } from '../backend/api/sse.ts';

interface FloorStream {
  readonly sse: SseWriter;
  readonly head: string;
  readonly tail: string;
  left: number;
  readonly total: number;
  readonly prompt_tokens: number;
}

export async function startSseFloor(model: string): Promise<{ url: string; close: () => Promise<void> }> {
  const streams = new Set<FloorStream>();
  let turning = false;
  const turn = (): void => {
    turning = false;
    for (const s of streams) {
      if (s.left > 0) {
        s.left--;
        void s.sse.sendJson(`${s.head}${JSON.stringify(' tok')}${s.tail}`);
        continue;
      }
      streams.delete(s);
      const usage = { prompt_tokens: s.prompt_tokens, completion_tokens: s.total, total_tokens: s.prompt_tokens + s.total };
      void s.sse.send({ id: 'floor', object: 'text_completion', created: 0, model, choices: [], usage });
      void s.sse.done();
    }
    if (streams.size > 0) schedule();
  };
  const schedule = (): void => {
    if (turning) return;
    turning = true;
    setImmediate(turn);
  };
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { max_tokens: number; prompt: number[] };
      const id = `cmpl-floor-${Math.random().toString(36).slice(2)}`;
      const shape = JSON.stringify({ id, object: 'text_completion', created: Math.floor(Date.now() / 1e3), model, choices: [{ index: 0, text: '\u0000', logprobs: null, finish_reason: null }], usage: null });
      const at = shape.indexOf(JSON.stringify('\u0000'));
      streams.add({
        sse: new SseWriter(res), head: shape.slice(0, at), tail: shape.slice(at + JSON.stringify('\u0000').length),
        left: body.max_tokens, total: body.max_tokens, prompt_tokens: body.prompt.length,
      });
      schedule();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
