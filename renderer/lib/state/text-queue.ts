/**
 * Text waiting to be parsed, kept in the pieces it arrived in and taken from the front a slice at
 * a time. The pieces are never joined into one growing string: V8 builds `a += b` as a rope and
 * copies the whole rope into one flat string the first time it is sliced, so slicing the next
 * part off a long answer's text on every frame would copy the whole answer on every frame.
 */
export class TextQueue {
  #pieces: string[] = [];
  /** The first piece not wholly taken, and how far into it. */
  #head = 0;
  #at = 0;
  #length = 0;

  /** Characters queued and not taken yet. */
  get length(): number {
    return this.#length;
  }

  push(text: string): void {
    if (text === '') return;
    this.#pieces.push(text);
    this.#length += text.length;
  }

  /**
   * Takes up to `max` characters (at least one while any are queued), one more rather than end
   * between the two halves of a surrogate pair.
   */
  take(max: number): string {
    let taken = '';
    while (this.#head < this.#pieces.length && (taken.length < max || endsHigh(taken))) {
      const piece = this.#pieces[this.#head] as string;
      let end = Math.min(piece.length, this.#at + Math.max(1, max - taken.length));
      if (end < piece.length && isHighSurrogate(piece.charCodeAt(end - 1))) end++;
      taken += this.#at === 0 && end === piece.length ? piece : piece.slice(this.#at, end);
      if (end < piece.length) {
        this.#at = end;
      } else {
        this.#head++;
        this.#at = 0;
      }
    }
    this.#length -= taken.length;
    if (this.#head === this.#pieces.length) this.clear();
    else if (this.#head >= 1024) {
      this.#pieces = this.#pieces.slice(this.#head);
      this.#head = 0;
    }
    return taken;
  }

  clear(): void {
    this.#pieces = [];
    this.#head = 0;
    this.#at = 0;
    this.#length = 0;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function endsHigh(text: string): boolean {
  return text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1));
}
