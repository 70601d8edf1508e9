// SseWriter frames its events on the socket itself after the first one (sse.ts): the bytes on
// the wire are the ones res.write would have sent, chunk by chunk, and a client without chunked
// encoding (HTTP/1.0) still gets a plain body.
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import test from 'ava';
import { SseWriter } from '../../backend/api/sse.ts';

const EVENTS = [{ a: 1 }, { text: 'é "q" \n' }, { n: null }, { long: 'x'.repeat(70_000) }];

/** The raw bytes a server that answers with `respond` sends to one request, Date header removed. */
async function rawResponse(respond: (res: ServerResponse) => Promise<void>, version: '1.0' | '1.1'): Promise<string> {
  const server = createServer((_req, res) => void respond(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    // HTTP/1.1 keeps the connection (the response asks for keep-alive): the last chunk ends the answer.
    socket.on('data', (b: Buffer) => {
      parts.push(b);
      if (Buffer.concat(parts).toString('latin1').endsWith('\r\n0\r\n\r\n')) socket.destroy();
    });
    socket.write(`GET / HTTP/${version}\r\nHost: x\r\n\r\n`);
    await new Promise((resolve) => socket.on('close', resolve));
    return Buffer.concat(parts).toString('utf8').replace(/\r\nDate: [^\r]*/, '');
  } finally {
    server.close();
  }
}

/** A responder through SseWriter, counting the events that went through res.write in `count.writes`. */
const viaSseWriter = (count: { writes: number }) => async (res: ServerResponse): Promise<void> => {
  const write = res.write.bind(res) as (text: string) => boolean;
  Object.assign(res, { write: (text: string) => (count.writes++, write(text)) });
  const sse = new SseWriter(res);
  for (const e of EVENTS) await sse.sendJson(JSON.stringify(e));
  await sse.send({ last: true });
  await sse.done();
};
const viaResWrite = async (res: ServerResponse): Promise<void> => {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of [...EVENTS, { last: true }]) res.write(`data: ${JSON.stringify(e)}\n\n`);
  res.write('data: [DONE]\n\n');
  res.end();
};

for (const version of ['1.1', '1.0'] as const) {
  test(`HTTP/${version}: the bytes on the wire are res.write's`, async (t) => {
    const count = { writes: 0 };
    const direct = await rawResponse(viaSseWriter(count), version);
    const reference = await rawResponse(viaResWrite, version);
    t.is(direct, reference);
    t.is(count.writes, version === '1.1' ? 1 : EVENTS.length + 2, 'HTTP/1.1: only the first event (with the headers) through res.write');
    t.true(direct.includes('data: [DONE]\n\n'));
    t.is(direct.includes('Transfer-Encoding: chunked'), version === '1.1');
  });
}
