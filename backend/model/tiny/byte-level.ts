// Byte-level BPE's alphabet: each of the 256 bytes stands for one printable Unicode character
// (printable Latin-1 bytes for themselves, the rest shifted past U+0100), so every byte
// sequence is a string of "visible" characters. This is the mapping tokenizer.json's ByteLevel
// pre-tokenizer and decoder use (GPT-2's), rebuilt from its definition.

function buildTable(): string[] {
  const keep = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) table.push(String.fromCodePoint(keep(b) ? b : 256 + shifted++));
  return table;
}

/** BYTE_TO_CHAR[b] is the character standing for byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildTable();

export function bytesToSymbols(bytes: Uint8Array): string[] {
  return Array.from(bytes, (b) => BYTE_TO_CHAR[b]!);
}
