/**
 * The must-have property (performance.md "Incremental markdown correctness"): for any document and
 * any split into chunks, the streamed blocks after finish() are exactly the one-shot render.
 * Short documents: every single split point, plus every character as its own chunk. After the first
 * chunk, too, the (provisional) blocks must be the one-shot render of the text so far.
 */
import { describe, expect, it } from 'vitest';
import { MarkdownStream } from '../../../../renderer/lib/markdown/incremental';
import { generateDocument } from './generate';
import { mark, oneShot } from './harness';

const DOCUMENTS = 640;
const BATCH = 80;
const MAX_LENGTH = 220;

/** Short documents of 2–3 blocks; a long draw is replaced by the next seed's. */
function shortDocument(index: number): string {
  for (let attempt = 0; ; attempt++) {
    const doc = generateDocument(10_000 + index * 37 + attempt * 100_003, 2 + (index % 2));
    if (doc.length <= MAX_LENGTH) return doc;
  }
}

describe('streamed == one-shot, short documents split at every point', () => {
  for (let batch = 0; batch < DOCUMENTS / BATCH; batch++) {
    it(`documents ${batch * BATCH}–${(batch + 1) * BATCH - 1}`, () => {
      for (let index = batch * BATCH; index < (batch + 1) * BATCH; index++) {
        const doc = shortDocument(index);
        const expected = oneShot(doc);
        for (let split = 1; split < doc.length; split++) {
          const stream = new MarkdownStream(mark);
          stream.append(doc.slice(0, split));
          const partial = stream.blocks.map((block) => block.html);
          const partialExpected = oneShot(stream.text);
          stream.append(doc.slice(split));
          stream.finish();
          const got = stream.blocks.map((block) => block.html);
          if (
            got.join('\0') !== expected.join('\0') ||
            partial.join('\0') !== partialExpected.join('\0')
          ) {
            expect({ doc, split, got, partial }).toEqual({
              doc,
              split,
              got: expected,
              partial: partialExpected,
            });
          }
        }
        const stream = new MarkdownStream(mark);
        for (const char of doc.split('')) stream.append(char);
        stream.finish();
        expect(
          stream.blocks.map((block) => block.html),
          JSON.stringify(doc),
        ).toEqual(expected);
      }
    });
  }
});
