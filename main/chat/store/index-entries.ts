import type { IndexEntry } from './conversation-file-schema';
import { byRecency, type RecencyKey } from './conversation-summary';

/**
 * The index's entries by id, and in recency order (newest activity first, {@link byRecency})
 * for the list. The order is sorted once, the first time it is asked for (after the bulk load
 * at open), and from then on kept by binary search on every change: listing the newest `limit`
 * costs O(limit) rather than a sort of every conversation (10,000 of them took tens of
 * milliseconds of main's thread per list).
 */
export class IndexEntries {
  readonly #byId = new Map<string, IndexEntry>();
  /** Every entry, newest first; `null` until first asked for. */
  #order: IndexEntry[] | null = null;

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): IndexEntry | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  set(id: string, entry: IndexEntry): void {
    const before = this.#byId.get(id);
    this.#byId.set(id, entry);
    if (before) this.#unorder(before);
    this.#order?.splice(this.#place(entry), 0, entry);
  }

  delete(id: string): void {
    const before = this.#byId.get(id);
    if (!before) return;
    this.#byId.delete(id);
    this.#unorder(before);
  }

  /**
   * The newest `limit` entries (all of them without a limit), newest first; with `after`, the
   * `limit` that sort after it (it need not be an entry: the page starts where it would be).
   */
  newest(limit = Infinity, after?: RecencyKey): IndexEntry[] {
    this.#order ??= [...this.#byId.values()].sort(byRecency);
    const start = after === undefined ? 0 : this.#firstAfter(after);
    return this.#order.slice(start, start + limit);
  }

  /** Where `entry` sorts: the first position whose entry sorts after it. */
  #place(entry: IndexEntry): number {
    return this.#firstWhere((other) => byRecency(other, entry) >= 0);
  }

  /** The first position whose entry sorts after `key`. */
  #firstAfter(key: RecencyKey): number {
    return this.#firstWhere((other) => byRecency(key, other) < 0);
  }

  /** Binary search of the kept order: the first position from which `from` holds on. */
  #firstWhere(from: (entry: IndexEntry) => boolean): number {
    const order = this.#order ?? [];
    let low = 0;
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (from(order[middle] as IndexEntry)) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /**
   * Takes `entry` out of the order. Ids are unique, so the order is total and `entry` is where
   * it sorts; were it not (an entry changed in place), the order is sorted again when next asked.
   */
  #unorder(entry: IndexEntry): void {
    if (this.#order === null) return;
    const at = this.#place(entry);
    if (this.#order[at] === entry) this.#order.splice(at, 1);
    else this.#order = null;
  }
}
