import type { ConversationList, ConversationSummary } from '../../../preload/api';

/** Newest activity first, ties broken as main breaks them, so both show the same order. */
function byRecency(a: ConversationSummary, b: ConversationSummary): number {
  return b.updatedAt - a.updatedAt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1);
}

/**
 * `items` (sorted) with the item at `from` (-1: none) taken out and `item` put where it sorts:
 * O(log n) to find the place and one copy, instead of sorting the whole list for every
 * summary a streaming answer updates.
 */
function placed(
  items: readonly ConversationSummary[],
  from: number,
  item: ConversationSummary,
): ConversationSummary[] {
  const rest = from === -1 ? [...items] : items.toSpliced(from, 1);
  let low = 0;
  let high = rest.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (byRecency(rest[middle] as ConversationSummary, item) <= 0) low = middle + 1;
    else high = middle;
  }
  rest.splice(low, 0, item);
  return rest;
}

/** Only the summary's own fields (a `Conversation` carries its messages too). */
function summaryOf(summary: ConversationSummary): ConversationSummary {
  return {
    id: summary.id,
    revision: summary.revision,
    provider: summary.provider,
    title: summary.title,
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
    model: summary.model,
    messageCount: summary.messageCount,
    streaming: summary.streaming,
  };
}

/**
 * The conversation list (the sidebar), kept by the revision rule: a summary replaces the shown
 * one only when its revision is higher, and a whole list decides which conversations exist only
 * when it is newer than the last one applied (preload/api.ts `ConversationList`). Lists,
 * single summaries (responses) and deletions can then arrive in any order.
 */
export class Conversations {
  items = $state.raw<readonly ConversationSummary[]>([]);
  /** Revision of the newest whole list applied; -1 before the first. */
  #revision = -1;
  /** Deleted here: never shown again, whatever late copy arrives. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #gone = new Set<string>();

  /** Deleted (or being deleted) here. */
  deleted(id: string): boolean {
    return this.#gone.has(id);
  }

  get(id: string): ConversationSummary | undefined {
    return this.items.find((item) => item.id === id);
  }

  /**
   * Applies a whole list. A newer one decides membership: what it lacks is gone, unless its
   * summary is newer than the list (created since). An older one only updates summaries, and
   * so does a partial one (the newest few), whatever its revision.
   */
  applyList(list: ConversationList): void {
    // Some only: what they hold is news, what they lack is not (it is elsewhere in the list).
    if (list.partial) {
      this.#merge(list.conversations);
      return;
    }
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local index
    const known = new Map(this.items.map((item) => [item.id, item]));
    const newer = (summary: ConversationSummary) => {
      const current = known.get(summary.id);
      return current && current.revision >= summary.revision ? current : summaryOf(summary);
    };
    if (list.revision < this.#revision) {
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local index
      const copies = new Map(list.conversations.map((summary) => [summary.id, summary]));
      this.#set(
        this.items.map((item) => {
          const copy = copies.get(item.id);
          return copy ? newer(copy) : item;
        }),
      );
      return;
    }
    const listed = list.conversations.filter((summary) => !this.#gone.has(summary.id));
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local index
    const ids = new Set(listed.map((summary) => summary.id));
    const later = this.items.filter((item) => !ids.has(item.id) && item.revision > list.revision);
    this.#revision = list.revision;
    this.#set([...listed.map(newer), ...later]);
  }

  /**
   * Applies one summary (a response). Adds it when `add` and no newer list has left it out.
   * Equal revisions are the same state: the shown one stays (it may hold an optimistic title).
   */
  apply(summary: ConversationSummary, add: boolean): void {
    if (this.#gone.has(summary.id)) return;
    const index = this.items.findIndex((item) => item.id === summary.id);
    if (index === -1) {
      if (add && summary.revision > this.#revision) {
        this.items = placed(this.items, -1, summaryOf(summary));
      }
      return;
    }
    if ((this.items[index] as ConversationSummary).revision >= summary.revision) return;
    this.items = placed(this.items, index, summaryOf(summary));
  }

  /** Shows a title at once, before main confirms it; returns the title it replaced. */
  retitle(id: string, title: string): string | null {
    const index = this.items.findIndex((item) => item.id === id);
    const item = this.items[index];
    if (!item) return null;
    this.items = this.items.with(index, { ...item, title });
    return item.title;
  }

  /** Being deleted here: gone from the list now, and for good unless {@link undrop}ped. */
  drop(id: string): void {
    this.#gone.add(id);
    this.items = this.items.filter((item) => item.id !== id);
  }

  /** The deletion failed: the next list shows it again. */
  undrop(id: string): void {
    this.#gone.delete(id);
  }

  /**
   * {@link apply} (adding) for each summary, in one pass and one sort: a page of 1,000 summaries
   * merged one by one would copy the whole list 1,000 times.
   */
  #merge(summaries: readonly ConversationSummary[]): void {
    const items = [...this.items];
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local index
    const at = new Map(items.map((item, index) => [item.id, index]));
    let changed = false;
    for (const summary of summaries) {
      if (this.#gone.has(summary.id)) continue;
      const index = at.get(summary.id);
      if (index === undefined) {
        if (summary.revision <= this.#revision) continue;
        at.set(summary.id, items.length);
        items.push(summaryOf(summary));
      } else if ((items[index] as ConversationSummary).revision < summary.revision) {
        items[index] = summaryOf(summary);
      } else continue;
      changed = true;
    }
    // Both runs are mostly in order already: the sort merges them.
    if (changed) this.#set(items);
  }

  #set(items: readonly ConversationSummary[]): void {
    this.items = [...items].sort(byRecency);
  }
}
