/**
 * A snapshot's bytes made a little at a time: the same bytes as the whole text encoded at once,
 * cut into chunks of the size asked, whatever the pieces and wherever they cut a character.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inChunks, utf8OfPieces } from './snapshot-bytes.js';

async function chunksOf(pieces: readonly string[], size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of inChunks(utf8OfPieces(pieces), size)) out.push(chunk);
  return out;
}

/** A text cut into pieces at any code unit, so between the two halves of a surrogate pair too. */
const cutText = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(fc.nat(), { maxLength: 12 }))
  .map(([text, cuts]) => {
    const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
    const pieces: string[] = [];
    let from = 0;
    for (const c of at) {
      pieces.push(text.slice(from, c));
      from = c;
    }
    pieces.push(text.slice(from));
    return { text, pieces };
  });

describe('a snapshot made a little at a time', () => {
  it('is the whole text encoded at once, in chunks of exactly the size asked but the last', async () => {
    await fc.assert(
      fc.asyncProperty(cutText, fc.integer({ min: 1, max: 64 }), async ({ text, pieces }, size) => {
        const chunks = await chunksOf(pieces, size);
        expect(Buffer.concat(chunks).equals(Buffer.from(text, 'utf8'))).toBe(true);
        expect(chunks.length).toBeGreaterThanOrEqual(1);
        for (const c of chunks.slice(0, -1)) expect(c.length).toBe(size);
        const last = chunks.at(-1) as Buffer;
        expect(last.length).toBeLessThanOrEqual(size);
        // Empty only when there is nothing at all.
        expect(last.length === 0).toBe(Buffer.byteLength(text) === 0);
      }),
    );
  });

  it('never encodes a character in two halves, even cut between two pieces', () => {
    const emoji = '\u{1F680}'; // two code units
    const buffers = [...utf8OfPieces(['a', emoji.slice(0, 1), emoji.slice(1), 'b', emoji.slice(0, 1)])];
    expect(Buffer.concat(buffers).toString('utf8')).toBe(`a${emoji}b\uFFFD`);
    // Each buffer is whole characters but the very last (a lone half left at the end, as the text has it).
    expect(buffers.map((b) => b.toString('utf8'))).toEqual(['a', emoji, 'b', '\uFFFD']);
  });
});
