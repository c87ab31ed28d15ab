/** Little-endian words, LEB128 varints and UTF-8 strings, for the search index's file. */

/** Thrown for a file that is not a whole, intact index. */
export class DamagedIndexError extends Error {
  override readonly name: string = 'DamagedIndexError';
}

/** A growing buffer written front to back. */
export class ByteWriter {
  #buffer: Buffer;
  #at = 0;

  constructor(size: number) {
    this.#buffer = Buffer.allocUnsafe(size);
  }

  u32(value: number): void {
    this.#room(4);
    this.#buffer.writeUInt32LE(value >>> 0, this.#at);
    this.#at += 4;
  }

  varint(value: number): void {
    this.#room(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.#buffer[this.#at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.#buffer[this.#at++] = v;
  }

  bytes(value: Uint8Array): void {
    this.#room(value.length);
    this.#buffer.set(value, this.#at);
    this.#at += value.length;
  }

  /** Copies `data[start, end)`. */
  range(data: Buffer, start: number, end: number): void {
    this.#room(end - start);
    data.copy(this.#buffer, this.#at, start, end);
    this.#at += end - start;
  }

  get length(): number {
    return this.#at;
  }

  reset(): void {
    this.#at = 0;
  }

  view(): Buffer {
    return this.#buffer.subarray(0, this.#at);
  }

  take(): Buffer {
    return Buffer.from(this.view());
  }

  #room(n: number): void {
    if (this.#at + n <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#at + n));
    this.#buffer.copy(grown, 0, 0, this.#at);
    this.#buffer = grown;
  }
}

/** Reads `data` between `start` and `end`; running past `end` is a {@link DamagedIndexError}. */
export class ByteReader {
  readonly #data: Buffer;
  #at: number;
  readonly #end: number;

  constructor(data: Buffer, start: number, end: number) {
    this.#data = data;
    this.#at = start;
    this.#end = end;
  }

  get position(): number {
    return this.#at;
  }

  skip(n: number): void {
    if (this.#at + n > this.#end) throw new DamagedIndexError('Truncated');
    this.#at += n;
  }

  done(): boolean {
    return this.#at >= this.#end;
  }

  varint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.#at >= this.#end || shift > 28) throw new DamagedIndexError('Bad number');
      const byte = this.#data[this.#at++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  }
}
