import type { ConversationSummary } from '../../../preload/api';
import { recencyGroup, type RecencyGroup } from '../chat-format';

const GROUPS: readonly RecencyGroup[] = ['today', 'yesterday', 'week', 'month', 'older'];

/** One row of the virtualized sidebar: a recency group's heading, or a conversation. */
export type ConversationRow =
  | {
      readonly kind: 'group';
      readonly id: string;
      readonly group: RecencyGroup;
      /** The topmost heading (no space above it). */
      readonly first: boolean;
    }
  | { readonly kind: 'item'; readonly id: string; readonly conversation: ConversationSummary };

/**
 * The sidebar's rows: each recency group's heading followed by its conversations. Row objects
 * are kept per summary object, so a list that changed in one place yields the same objects
 * elsewhere (the virtual list keeps its height estimates per object). The list is sorted newest
 * first, so each group is one run, found by binary search (a few `recencyGroup` calls, not one
 * per conversation).
 */
export class ConversationRows {
  readonly #items = new WeakMap<ConversationSummary, ConversationRow>();
  readonly #groups = new Map<string, ConversationRow>();

  rows(items: readonly ConversationSummary[], now: number): ConversationRow[] {
    const rank = (index: number) =>
      GROUPS.indexOf(recencyGroup((items[index] as ConversationSummary).updatedAt, now));
    const rows: ConversationRow[] = [];
    let start = 0;
    while (start < items.length) {
      const group = rank(start);
      // The first index past this group's run.
      let low = start + 1;
      let high = items.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (rank(middle) <= group) low = middle + 1;
        else high = middle;
      }
      rows.push(this.#heading(GROUPS[group] as RecencyGroup, start === 0));
      for (let index = start; index < low; index++) {
        rows.push(this.#item(items[index] as ConversationSummary));
      }
      start = low;
    }
    return rows;
  }

  #heading(group: RecencyGroup, first: boolean): ConversationRow {
    const key = `${group}:${first}`;
    let row = this.#groups.get(key);
    if (!row) {
      row = { kind: 'group', id: `group-${group}`, group, first };
      this.#groups.set(key, row);
    }
    return row;
  }

  #item(conversation: ConversationSummary): ConversationRow {
    let row = this.#items.get(conversation);
    if (!row) {
      row = { kind: 'item', id: conversation.id, conversation };
      this.#items.set(conversation, row);
    }
    return row;
  }
}
