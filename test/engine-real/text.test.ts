// Streamed text must survive UTF-8 transport (gRPC, SSE): no delta may hold a lone surrogate.
import test from 'ava';
import { Detokenizer, type TokenDecoder } from '../../backend/engine/detokenizer.ts';

/** A byte-level decoder: token i is byte i (like a byte-level BPE's 256 base tokens). */
const bytes: TokenDecoder = { decode: (ids) => new TextDecoder().decode(Uint8Array.from(ids)) };
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

test('a prompt ending mid-character: the first delta is the whole astral character, not half of it', (t) => {
  const emoji = [...new TextEncoder().encode('😀')]; // 4 bytes
  // The prompt holds the first byte; the generated tokens complete the character.
  const d = new Detokenizer(bytes, { prompt_ids: [0x61, emoji[0]!] });
  const deltas = emoji.slice(1).map((b) => d.push(b));
  deltas.push(d.flush());
  for (const delta of deltas) t.false(LONE.test(delta), JSON.stringify(delta));
  t.is(deltas.join(''), '😀');
});

test('generated astral characters split over tokens come out whole', (t) => {
  const text = 'a😀b𝄞c';
  const d = new Detokenizer(bytes, { prompt_ids: [0x3e] });
  const deltas = [...new TextEncoder().encode(text)].map((b) => d.push(b));
  deltas.push(d.flush());
  for (const delta of deltas) t.false(LONE.test(delta), JSON.stringify(delta));
  t.is(deltas.join(''), text);
});
