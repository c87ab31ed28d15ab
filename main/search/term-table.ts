import { ByteReader, ByteWriter, DamagedIndexError } from './bytes';

/** A term's documents (ascending numbers) and frequencies; the first `n` entries are used. */
export interface Posting {
  ids: Uint32Array;
  tf: Uint8Array;
  n: number;
}

/**
 * The terms of an index file, left in the file's bytes: one offset per term, nothing decoded
 * until a query asks. Terms are stored in UTF-8 byte order, so a term is found by binary search
 * and a prefix is a contiguous range. Each record is `varint termLength, term, varint
 * blockLength, block`; a block is `varint n`, `n` delta-coded document numbers, `n` frequencies.
 */
export class TermTable {
  readonly data: Buffer;
  /** Where each term's record starts. */
  readonly #at: Uint32Array;
  readonly count: number;
  /** Documents in the file: every number in a posting is below it. */
  readonly docs: number;
  /** Where the last record ends. */
  readonly #end: number;

  private constructor(data: Buffer, at: Uint32Array, count: number, docs: number, end: number) {
    this.data = data;
    this.#at = at;
    this.count = count;
    this.docs = docs;
    this.#end = end;
  }

  /**
   * Indexes the records of `data` from `start` to `end` in steps of `stepTerms` (a caller may
   * yield between them). Records out of order are a {@link DamagedIndexError}.
   */
  static *read(
    data: Buffer,
    start: number,
    end: number,
    docs: number,
    stepTerms: number,
  ): Generator<void, TermTable> {
    let at = new Uint32Array(1 << 16);
    let count = 0;
    const reader = new ByteReader(data, start, end);
    let previousStart = -1;
    let previousEnd = -1;
    while (!reader.done()) {
      if (count % stepTerms === stepTerms - 1) yield;
      const record = reader.position;
      const length = reader.varint();
      const termStart = reader.position;
      reader.skip(length);
      const termEnd = reader.position;
      if (
        previousStart >= 0 &&
        data.compare(data, termStart, termEnd, previousStart, previousEnd) >= 0
      ) {
        throw new DamagedIndexError('Terms out of order');
      }
      previousStart = termStart;
      previousEnd = termEnd;
      reader.skip(reader.varint());
      if (count === at.length) {
        const grown = new Uint32Array(at.length * 2);
        grown.set(at);
        at = grown;
      }
      at[count++] = record;
    }
    return new TermTable(data, at.slice(0, count), count, docs, end);
  }

  /** An empty table (a new index). */
  static empty(): TermTable {
    return new TermTable(Buffer.alloc(0), new Uint32Array(0), 0, 0, 0);
  }

  /** The UTF-8 bytes of term `i`, as [start, end] in {@link data}. */
  termRange(i: number): [number, number] {
    const data = this.data;
    let at = this.#at[i] ?? 0;
    let length = 0;
    let shift = 0;
    for (;;) {
      const byte = data[at++] ?? 0;
      length += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      shift += 7;
    }
    return [at, at + length];
  }

  /** Where term `i`'s record starts in {@link data}. */
  recordStart(i: number): number {
    return this.#at[i] ?? 0;
  }

  /** Where term `i`'s record ends in {@link data}. */
  recordEnd(i: number): number {
    return i + 1 < this.count ? (this.#at[i + 1] ?? 0) : this.#end;
  }

  term(i: number): string {
    const [start, end] = this.termRange(i);
    return this.data.toString('utf8', start, end);
  }

  /** The position of `key` (UTF-8), or of the first term after it when absent. */
  lowerBound(key: Buffer): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const [start, end] = this.termRange(mid);
      if (this.data.compare(key, 0, key.length, start, end) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Term `i` compared with `key` (UTF-8): negative, zero or positive. */
  compare(i: number, key: Buffer): number {
    const [start, end] = this.termRange(i);
    return this.data.compare(key, 0, key.length, start, end);
  }

  /** The position of `key`, or -1. */
  find(key: Buffer): number {
    const i = this.lowerBound(key);
    return i < this.count && this.compare(i, key) === 0 ? i : -1;
  }

  /** Whether term `i` begins with `key`. */
  startsWith(i: number, key: Buffer): boolean {
    const [start, end] = this.termRange(i);
    return (
      end - start >= key.length &&
      this.data.compare(key, 0, key.length, start, start + key.length) === 0
    );
  }

  /** How many documents term `i` is in (the block's count, read without decoding it). */
  documentFrequency(i: number): number {
    const [, termEnd] = this.termRange(i);
    const reader = new ByteReader(this.data, termEnd, this.data.length);
    reader.varint();
    return reader.varint();
  }

  /** Term `i`'s posting, decoded. */
  decode(i: number): Posting {
    const [, termEnd] = this.termRange(i);
    const outer = new ByteReader(this.data, termEnd, this.data.length);
    const blockLength = outer.varint();
    const reader = new ByteReader(this.data, outer.position, outer.position + blockLength);
    const n = reader.varint();
    const ids = new Uint32Array(n);
    let previous = 0;
    for (let k = 0; k < n; k++) {
      previous += reader.varint();
      if (previous >= this.docs) throw new DamagedIndexError('Document out of range');
      ids[k] = previous;
    }
    const at = reader.position;
    reader.skip(n);
    const tf = new Uint8Array(n);
    tf.set(this.data.subarray(at, at + n));
    return { ids, tf, n };
  }
}

/**
 * Writes term records: the postings given (a table's, then the documents added since),
 * renumbered, documents numbered `docs` or above (added after the writing began) left out.
 */
export class TermWriter {
  readonly #out: ByteWriter;
  readonly #renumber: Int32Array;
  readonly #docs: number;
  readonly #block = new ByteWriter(4096);
  #ids = new Uint32Array(1024);
  #tf = new Uint8Array(1024);

  constructor(out: ByteWriter, renumber: Int32Array, docs: number) {
    this.#out = out;
    this.#renumber = renumber;
    this.#docs = docs;
  }

  write(key: Buffer, first: Posting | undefined, second: Posting | undefined): void {
    const total = (first?.n ?? 0) + (second?.n ?? 0);
    if (this.#ids.length < total) {
      this.#ids = new Uint32Array(total);
      this.#tf = new Uint8Array(total);
    }
    let n = 0;
    if (first) n = this.#take(first, n);
    if (second) n = this.#take(second, n);
    if (n === 0) return;
    const block = this.#block;
    block.reset();
    block.varint(n);
    let previous = 0;
    const ids = this.#ids;
    for (let k = 0; k < n; k++) {
      const doc = ids[k] ?? 0;
      block.varint(doc - previous);
      previous = doc;
    }
    block.bytes(this.#tf.subarray(0, n));
    this.#out.varint(key.length);
    this.#out.bytes(key);
    this.#out.varint(block.length);
    this.#out.bytes(block.view());
  }

  #take(posting: Posting, from: number): number {
    let n = from;
    const ids = this.#ids;
    const tf = this.#tf;
    const renumber = this.#renumber;
    for (let k = 0; k < posting.n; k++) {
      const old = posting.ids[k] ?? 0;
      if (old >= this.#docs) break;
      const doc = renumber[old] ?? -1;
      if (doc < 0) continue;
      ids[n] = doc;
      tf[n++] = posting.tf[k] ?? 0;
    }
    return n;
  }
}
