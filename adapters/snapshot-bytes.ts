/**
 * A snapshot's bytes as the stores write them, made a little at a time: the JSON's pieces
 * (Snapshot.json) encoded to UTF-8 a piece at a time, and bytes cut into chunks of a fixed size.
 * Neither ever holds the whole text or its whole encoding at once, so a store that writes chunk by
 * chunk (an insert per turn, an append per chunk) never holds the event loop, or the memory, for
 * a whole snapshot of tens of MB.
 */

/**
 * The pieces as UTF-8, a buffer per piece (none for an empty one). A piece that ends in the first
 * half of a surrogate pair (a cut Snapshot.json allows; the engine's own pieces are whole JSON
 * values) hands it on to the next piece, so no character is encoded in two halves: the buffers
 * joined are the pieces joined, encoded.
 */
export function* utf8OfPieces(pieces: readonly string[]): Generator<Buffer> {
  let carry = '';
  for (const piece of pieces) {
    const text = carry + piece;
    const last = text.charCodeAt(text.length - 1);
    const cut = last >= 0xd800 && last <= 0xdbff ? text.length - 1 : text.length;
    carry = text.slice(cut);
    if (cut > 0) yield Buffer.from(cut === text.length ? text : text.slice(0, cut), 'utf8');
  }
  if (carry !== '') yield Buffer.from(carry, 'utf8');
}

/**
 * The bytes of `source` cut into chunks of exactly `size` bytes, the last one shorter; always at
 * least one chunk (an empty one for no bytes). Each chunk is its own copy.
 */
export async function* inChunks(source: AsyncIterable<Buffer> | Iterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let bytes = 0;
  let given = false;
  for await (const buffer of source) {
    let rest = buffer;
    while (bytes + rest.length >= size) {
      const take = size - bytes;
      held.push(rest.subarray(0, take));
      yield Buffer.concat(held);
      given = true;
      held = [];
      bytes = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      held.push(rest);
      bytes += rest.length;
    }
  }
  if (bytes > 0 || !given) yield Buffer.concat(held);
}
