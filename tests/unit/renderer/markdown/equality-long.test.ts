/**
 * The must-have property on long documents: random chunkings (token-sized and paragraph-sized) and,
 * for every sixteenth document, every character as its own chunk give exactly the one-shot render;
 * after every chunk the provisional blocks are the one-shot render of the text so far. And the cuts
 * are sound: without link definitions (the one documented difference), cutting into sections reads
 * every document exactly as `marked` reads it whole.
 */
import { describe, expect, it } from 'vitest';
import { MarkdownStream } from '../../../../renderer/lib/markdown/incremental';
import { generateDocument, randomChunks } from './generate';
import { mark, oneShot, oneShotUnsanitized, streamed, wholeDocument } from './harness';

const DOCUMENTS = 400;
const BATCH = 50;

describe('streamed == one-shot, long documents split at random points', () => {
  for (let batch = 0; batch < DOCUMENTS / BATCH; batch++) {
    it(`documents ${batch * BATCH}–${(batch + 1) * BATCH - 1}`, () => {
      for (let index = batch * BATCH; index < (batch + 1) * BATCH; index++) {
        const seed = 500_000 + index;
        const doc = generateDocument(seed, 12 + (index % 29));
        const expected = oneShot(doc);
        for (const [k, max] of [8, 200].entries()) {
          const chunks = randomChunks(doc, seed * 10 + k, max);
          const got = streamed(chunks);
          if (got.join('\0') !== expected.join('\0')) {
            expect({ chunks, got }).toEqual({ chunks, got: expected });
          }
        }
        if (index % 16 === 0) {
          expect(streamed([...doc.split('')]), JSON.stringify(doc)).toEqual(expected);
        }
      }
    });
  }
});

describe('while streaming, the blocks are the one-shot render of the text so far', () => {
  it('after every chunk of 60 documents', () => {
    const failures: unknown[] = [];
    for (let index = 0; index < 60; index++) {
      const seed = 600_000 + index;
      const doc = generateDocument(seed, 6 + (index % 17));
      const stream = new MarkdownStream(mark);
      for (const chunk of randomChunks(doc, seed, 40)) {
        stream.append(chunk);
        const expected = oneShot(stream.text);
        const got = stream.blocks.map((block) => block.html);
        if (got.join('\0') !== expected.join('\0'))
          failures.push({ text: stream.text, got, expected });
      }
    }
    expect(failures.slice(0, 2)).toEqual([]);
  });
});

describe('sections read as marked reads the whole document', () => {
  it('300 documents without link definitions', () => {
    for (let index = 0; index < 300; index++) {
      const doc = generateDocument(900_000 + index, index % 3 === 0 ? 60 : 8, false);
      expect(oneShotUnsanitized(doc), JSON.stringify(doc)).toBe(wholeDocument(doc));
    }
  });
});
