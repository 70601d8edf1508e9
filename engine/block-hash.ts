/**
 * Prefix identity of a sequence's full KV blocks. Two blocks share a key only when they hold
 * the same tokens after the same prefix, so a cached block can stand in for a computed one.
 *
 * - Real token ids: a chained 64-bit hash of (parent block's key, the block's token ids), as
 *   vLLM's prefix cache keys blocks (its default hash is also 64 bits; a collision would reuse
 *   the wrong KV with probability ~n²/2⁶⁵ for n distinct blocks).
 * - Trace hash ids (Mooncake's `hash_ids`, one per `hash_block_tokens` of prompt, already
 *   chained by the trace): the engine block inside trace block j at offset o is keyed (j's id, o).
 * - Neither: the sequence's own identity (id, block index). Only the same sequence can hit it,
 *   which is what recompute after preemption needs.
 */
export type PrefixIdentity =
  | { readonly kind: 'tokens' }
  | { readonly kind: 'trace'; readonly hash_ids: readonly number[]; readonly hash_block_tokens: number }
  | { readonly kind: 'own' };

/** FNV-1a over 32-bit words, two lanes with different offsets: a 64-bit key as 16 hex digits. */
export function chainedTokenHash(parent: string | undefined, tokens: readonly number[], from: number, to: number): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  const mix = (word: number): void => {
    a = Math.imul(a ^ (word & 0xffff), 0x01000193);
    a = Math.imul(a ^ (word >>> 16), 0x01000193);
    b = Math.imul(b ^ (word >>> 16), 0x5bd1e995);
    b = Math.imul(b ^ (word & 0xffff), 0x5bd1e995);
    b ^= b >>> 13;
  };
  if (parent !== undefined) {
    for (let i = 0; i < parent.length; i += 8) mix(Number.parseInt(parent.slice(i, i + 8), 16) | 0);
  } else mix(0x9e3779b9);
  for (let i = from; i < to; i++) mix((tokens[i] as number) | 0);
  mix(to - from);
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
