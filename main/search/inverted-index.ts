import { crc32 } from 'node:zlib';
import { ByteWriter, DamagedIndexError } from './bytes';
import { TermTable, TermWriter, type Posting } from './term-table';
import { forEachTerm, normalize, type QueryTerm } from './tokenize';

/**
 * A compact inverted index of conversations, in memory, with a binary form for the disk.
 *
 * Hand-written, not MiniSearch or FlexSearch, for a measured reason (bench/search.bench.ts,
 * README "Benchmarks"): over 10 MB of generated English + Chinese text, MiniSearch 7.2 took 27 s
 * to index, 236 MB of heap and 16 s to load its JSON; FlexSearch 0.8 took 11 s and 143 MB, and
 * has no prefix search without indexing every prefix. The budget is 100 MB of text, ≤ 2 ms a
 * message and a file ≤ 1.5× the text. Here postings are typed arrays of document numbers with
 * term frequencies, and the file holds them delta- and varint-coded.
 *
 * Documents are a conversation's title and each of its messages (content and reasoning). A
 * changed message gets a new document; the old one is marked deleted and skipped, and dropped
 * for good when the index is written.
 */

/** What a conversation looks like to the index. */
export interface IndexedConversation {
  readonly id: string;
  readonly title: string;
  readonly updatedAt: number;
  readonly messages: readonly IndexedMessage[];
}

export interface IndexedMessage {
  readonly id: string;
  /** Changes whenever the text does (the service uses revision and lengths). */
  readonly fingerprint: string;
  readonly text: string;
}

/** One document that matched, with its BM25 score. */
export interface Hit {
  readonly conversationId: string;
  /** null: the title matched. */
  readonly messageId: string | null;
  readonly score: number;
  readonly updatedAt: number;
}

interface ConversationSlot {
  readonly id: string;
  title: string;
  updatedAt: number;
  titleDoc: number;
  /** messageId → [document, fingerprint]. */
  readonly messages: Map<string, [number, string]>;
  /** Scratch of {@link InvertedIndex.search}: the query that last wrote the fields below. */
  mark: number;
  top: number;
  best: number;
  bestDoc: number;
}

const MAGIC = 0x4c4b5358; // "LKSX"
/** 2: terms in UTF-8 byte order (1 had them unordered; such a file is rebuilt, not damaged). */
const FORMAT = 2;
const K1 = 1.2;
const B = 0.75;
const TITLE_BOOST = 2;
/** A prefix that matches more terms than this uses the ones in the most documents. */
const MAX_EXPANSIONS = 32;
/** Decoded postings kept between queries (a search types the same terms again). */
const DECODED_CACHE = 4096;
/**
 * Terms with documents not yet in the file's form beyond which {@link InvertedIndex.needsCompaction}:
 * each costs a Map entry and two typed arrays (~300 bytes), a file term ~8 bytes.
 */
const COMPACT_TERMS = 200_000;

export { DamagedIndexError };

/** A file of an older format: not damaged, only to be rebuilt. */
export class OutdatedIndexError extends DamagedIndexError {
  override readonly name: string = 'OutdatedIndexError';
}

/** The first code point of a term: new terms are bucketed by it for prefix search. */
function head(term: string): string {
  const code = term.codePointAt(0) ?? 0;
  return code > 0xffff ? term.slice(0, 2) : term.slice(0, 1);
}

export class InvertedIndex {
  /** The terms as last read or compacted, in the file's bytes. */
  #table = TermTable.empty();
  /** Documents added since: postings by term (also for terms in the table), new terms by head. */
  #added = new Map<string, Posting>();
  #byHead = new Map<string, string[]>();
  /** Table postings decoded for queries, joined with their added documents. */
  #decoded = new Map<string, Posting>();
  readonly #conversations = new Map<string, ConversationSlot>();
  /** Per document: its conversation (null when deleted), message id, length in terms. */
  #docConversation: (ConversationSlot | null)[] = [];
  #docMessage: (string | null)[] = [];
  #docLength = new Uint32Array(1024);
  #liveDocs = 0;
  #totalLength = 0;
  /** Scratch of {@link search}, indexed by document; `#stamp` says which query wrote an entry. */
  #score = new Float64Array(0);
  #groupScore = new Float64Array(0);
  #stamp = new Uint32Array(0);
  #mark = 0;

  /** Conversations indexed, with what they were indexed at (for reconciling with the store). */
  conversations(): Map<string, { title: string; updatedAt: number }> {
    const out = new Map<string, { title: string; updatedAt: number }>();
    for (const [id, slot] of this.#conversations) {
      out.set(id, { title: slot.title, updatedAt: slot.updatedAt });
    }
    return out;
  }

  get documentCount(): number {
    return this.#liveDocs;
  }

  /** Terms in the file's form plus terms added since (a term in both counts twice). */
  get termCount(): number {
    return this.#table.count + this.#added.size;
  }

  /** Whether enough was added since the last compaction that {@link compactor} should run. */
  get needsCompaction(): boolean {
    // Growing with the table keeps the copies of a long rebuild few (amortised linear).
    return this.#added.size > Math.max(COMPACT_TERMS, this.#table.count / 4);
  }

  /**
   * Puts everything into the file's compact form (as {@link encoder} writes it, deleted
   * documents dropped), in steps. Nothing may change the index until it is done.
   */
  *compactor(): Generator<void, void> {
    const docs = this.#docConversation.length;
    if (this.#liveDocs === docs) {
      // Nothing deleted (a rebuild): the documents stay as they are; only the terms move.
      const out = new ByteWriter(this.#table.data.length + 1024 * 1024);
      const identity = new Int32Array(docs);
      for (let doc = 0; doc < docs; doc++) identity[doc] = doc;
      yield* this.#writeTerms(out, identity, docs);
      this.#table = yield* TermTable.read(out.take(), 0, out.length, docs, 5000);
      this.#added = new Map();
      this.#byHead = new Map();
      this.#decoded = new Map();
      return;
    }
    const bytes = yield* this.encoder();
    const fresh = yield* InvertedIndex.#decode(bytes, 5000);
    this.#table = fresh.#table;
    this.#added = fresh.#added;
    this.#byHead = fresh.#byHead;
    this.#decoded = fresh.#decoded;
    this.#conversations.clear();
    for (const [id, slot] of fresh.#conversations) this.#conversations.set(id, slot);
    this.#docConversation = fresh.#docConversation;
    this.#docMessage = fresh.#docMessage;
    this.#docLength = fresh.#docLength;
    this.#liveDocs = fresh.#liveDocs;
    this.#totalLength = fresh.#totalLength;
  }

  /**
   * Brings one conversation up to date: a changed title or message is indexed again, a message
   * no longer there is dropped; an unchanged message costs a map lookup.
   *
   * With `only`, the change touched just the messages with these ids (added or replaced), and
   * `conversation.messages` lists those of them there are to index: the others of the
   * conversation are left as they are, so the update costs what changed, not the conversation's
   * length. A touched id not listed (an answer streaming again) is dropped.
   */
  upsert(conversation: IndexedConversation, only?: ReadonlySet<string>): void {
    let slot = this.#conversations.get(conversation.id);
    if (!slot) {
      slot = {
        id: conversation.id,
        title: '',
        updatedAt: conversation.updatedAt,
        titleDoc: -1,
        messages: new Map(),
        mark: 0,
        top: 0,
        best: 0,
        bestDoc: -1,
      };
      this.#conversations.set(conversation.id, slot);
    }
    slot.updatedAt = conversation.updatedAt;
    if (slot.titleDoc < 0 || slot.title !== conversation.title) {
      if (slot.titleDoc >= 0) this.#deleteDoc(slot.titleDoc);
      slot.title = conversation.title;
      slot.titleDoc = this.#addDoc(slot, null, conversation.title);
    }
    const present = new Set<string>();
    for (const message of conversation.messages) {
      present.add(message.id);
      const known = slot.messages.get(message.id);
      if (known?.[1] === message.fingerprint) continue;
      if (known) this.#deleteDoc(known[0]);
      slot.messages.set(message.id, [
        this.#addDoc(slot, message.id, message.text),
        message.fingerprint,
      ]);
    }
    if (only) {
      for (const id of only) {
        const known = present.has(id) ? undefined : slot.messages.get(id);
        if (!known) continue;
        this.#deleteDoc(known[0]);
        slot.messages.delete(id);
      }
      return;
    }
    if (present.size !== slot.messages.size) {
      for (const [id, [doc]] of slot.messages) {
        if (present.has(id)) continue;
        this.#deleteDoc(doc);
        slot.messages.delete(id);
      }
    }
  }

  /** Whether the conversation is indexed. */
  has(conversationId: string): boolean {
    return this.#conversations.has(conversationId);
  }

  /** Drops a conversation and its documents. */
  remove(conversationId: string): void {
    const slot = this.#conversations.get(conversationId);
    if (!slot) return;
    if (slot.titleDoc >= 0) this.#deleteDoc(slot.titleDoc);
    for (const [doc] of slot.messages.values()) this.#deleteDoc(doc);
    this.#conversations.delete(conversationId);
  }

  /**
   * Documents that match every term (a prefix term: any term beginning with it), best first by
   * BM25 (titles count double), at most `limit` per query and the best one per conversation.
   */
  search(terms: readonly QueryTerm[], limit: number): Hit[] {
    if (terms.length === 0 || this.#liveDocs === 0) return [];
    const groups = terms.map((t) => this.#group(t));
    if (groups.some((g) => g.length === 0)) return [];
    const avgLength = this.#totalLength / Math.max(1, this.#liveDocs);
    const sized = groups
      .map((g) => ({ postings: g, size: g.reduce((n, p) => n + p.n, 0) }))
      .sort((a, b) => a.size - b.size);
    // Candidates from the smallest group, narrowed by each next one. Scores live in arrays
    // indexed by document (reused between queries): no map entry per candidate.
    const docs = this.#docConversation.length;
    if (this.#score.length < docs) {
      this.#score = new Float64Array(docs * 2);
      this.#stamp = new Uint32Array(docs * 2);
      this.#groupScore = new Float64Array(docs * 2);
    }
    const score = this.#score;
    const stamp = this.#stamp;
    const groupScore = this.#groupScore;
    let candidates: number[] = [];
    const first = sized[0];
    if (!first) return [];
    const mark = ++this.#mark;
    for (const posting of first.postings) {
      const idf = this.#idf(posting.n);
      for (let i = 0; i < posting.n; i++) {
        const doc = posting.ids[i] ?? 0;
        if (this.#docConversation[doc] === null) continue;
        const s = idf * this.#tfWeight(posting.tf[i] ?? 0, doc, avgLength);
        if (stamp[doc] !== mark) {
          stamp[doc] = mark;
          score[doc] = s;
          candidates.push(doc);
        } else if (s > (score[doc] ?? 0)) score[doc] = s;
      }
    }
    for (const group of sized.slice(1)) {
      if (candidates.length === 0) return [];
      const lookups = candidates.length * group.postings.length * 17;
      if (lookups < group.size) {
        // Few candidates: look each one up in the group's postings.
        candidates = candidates.filter((doc) => {
          let best = -1;
          for (const posting of group.postings) {
            const at = indexOf(posting.ids, posting.n, doc);
            if (at < 0) continue;
            const s = this.#idf(posting.n) * this.#tfWeight(posting.tf[at] ?? 0, doc, avgLength);
            if (s > best) best = s;
          }
          if (best < 0) return false;
          score[doc] = (score[doc] ?? 0) + best;
          return true;
        });
      } else {
        // Many: walk the group's postings once, marking what it holds.
        const groupMark = ++this.#mark;
        for (const posting of group.postings) {
          const idf = this.#idf(posting.n);
          for (let i = 0; i < posting.n; i++) {
            const doc = posting.ids[i] ?? 0;
            const s = idf * this.#tfWeight(posting.tf[i] ?? 0, doc, avgLength);
            if (stamp[doc] !== groupMark) {
              stamp[doc] = groupMark;
              groupScore[doc] = s;
            } else if (s > (groupScore[doc] ?? 0)) groupScore[doc] = s;
          }
        }
        candidates = candidates.filter((doc) => {
          if (stamp[doc] !== groupMark) return false;
          score[doc] = (score[doc] ?? 0) + (groupScore[doc] ?? 0);
          return true;
        });
      }
    }
    // A conversation ranks by its best document (a title counts double); it opens at its
    // best-matching message, at its title only when no message matched. Per-query fields on the
    // slots themselves (no map), and a top-`limit` insertion rather than a sort of everything.
    const touched: ConversationSlot[] = [];
    for (const doc of candidates) {
      const slot = this.#docConversation[doc];
      if (!slot) continue;
      const raw = score[doc] ?? 0;
      if (slot.mark !== mark) {
        slot.mark = mark;
        slot.top = 0;
        slot.best = 0;
        slot.bestDoc = -1;
        touched.push(slot);
      }
      const title = this.#docMessage[doc] === null;
      const ranked = title ? raw * TITLE_BOOST : raw;
      if (ranked > slot.top) slot.top = ranked;
      if (!title && raw > slot.best) {
        slot.best = raw;
        slot.bestDoc = doc;
      }
    }
    const before = (a: ConversationSlot, b: ConversationSlot) =>
      a.top > b.top ||
      (a.top === b.top &&
        (a.updatedAt > b.updatedAt || (a.updatedAt === b.updatedAt && a.id < b.id)));
    const top: ConversationSlot[] = [];
    for (const slot of touched) {
      if (top.length === limit && !before(slot, top[limit - 1] as ConversationSlot)) continue;
      let at = top.length;
      while (at > 0 && before(slot, top[at - 1] as ConversationSlot)) at--;
      top.splice(at, 0, slot);
      if (top.length > limit) top.pop();
    }
    return top.map((slot) => ({
      conversationId: slot.id,
      messageId: slot.bestDoc < 0 ? null : (this.#docMessage[slot.bestDoc] ?? null),
      score: slot.top,
      updatedAt: slot.updatedAt,
    }));
  }

  /**
   * The index as bytes: a header, the conversations and their documents as JSON, then each
   * term's postings (document numbers delta- and varint-coded, frequencies as bytes), and a
   * CRC-32 of everything before it. Deleted documents are left out and the rest renumbered.
   */
  encode(): Buffer {
    return drain(this.encoder());
  }

  /**
   * {@link encode} in steps, so a caller can yield to the event loop between them. What is
   * written is the index as it was at the first step: documents added later (higher numbers)
   * and deletions made later are not seen.
   */
  *encoder(stepTerms = 2000): Generator<void, Buffer> {
    // Live documents keep their order (postings stay sorted), numbered from 0.
    const renumber = new Int32Array(this.#docConversation.length).fill(-1);
    let next = 0;
    for (let doc = 0; doc < this.#docConversation.length; doc++) {
      if (this.#docConversation[doc] !== null) renumber[doc] = next++;
    }
    const conversations: unknown[] = [];
    for (const slot of this.#conversations.values()) {
      const messages: [string, string, number, number][] = [];
      for (const [id, [doc, fingerprint]] of slot.messages) {
        messages.push([id, fingerprint, this.#docLength[doc] ?? 0, renumber[doc] ?? 0]);
      }
      conversations.push([
        slot.id,
        slot.title,
        slot.updatedAt,
        this.#docLength[slot.titleDoc] ?? 0,
        renumber[slot.titleDoc] ?? 0,
        messages,
      ]);
    }
    const header = Buffer.from(JSON.stringify({ docs: next, conversations }), 'utf8');
    const out = new ByteWriter(header.length * 2 + 1024);
    out.u32(MAGIC);
    out.u32(FORMAT);
    out.u32(header.length);
    out.bytes(header);
    yield* this.#writeTerms(out, renumber, next, stepTerms);
    out.u32(0xffffffff);
    out.u32(crc32(out.view()));
    return out.take();
  }

  /** The term records of {@link encoder}, `live` documents renumbered by `renumber`. */
  *#writeTerms(
    out: ByteWriter,
    renumber: Int32Array,
    live: number,
    stepTerms = 2000,
  ): Generator<void, void> {
    const docs = this.#docConversation.length;
    const writer = new TermWriter(out, renumber, docs);
    const table = this.#table;
    const added = [...this.#added.keys()].sort(byCodePoint);
    const addedKeys = added.map((term) => Buffer.from(term, 'utf8'));
    // Nothing deleted: a term only in the table is copied as it is.
    const verbatim = live === docs;
    yield;
    let i = 0;
    let j = 0;
    let step = 0;
    while (i < table.count || j < added.length) {
      if (++step % stepTerms === 0) yield;
      const nextKey = addedKeys[j];
      const order = i >= table.count ? 1 : nextKey === undefined ? -1 : table.compare(i, nextKey);
      if (order < 0 && verbatim) {
        out.range(table.data, table.recordStart(i), table.recordEnd(i));
        i++;
        continue;
      }
      let key: Buffer;
      if (order <= 0) {
        const [start, end] = table.termRange(i);
        key = table.data.subarray(start, end);
      } else key = nextKey ?? Buffer.alloc(0);
      const fromTable = order <= 0 ? table.decode(i++) : undefined;
      const fromAdded = order >= 0 ? this.#added.get(added[j++] ?? '') : undefined;
      writer.write(key, fromTable, fromAdded);
    }
  }

  /** @throws DamagedIndexError when `bytes` is not an intact index of this format. */
  static decode(bytes: Uint8Array): InvertedIndex {
    return drain(InvertedIndex.decoder(bytes));
  }

  /** {@link decode} in steps, for a caller that yields to the event loop between them. */
  static *decoder(bytes: Uint8Array, stepTerms = 5000): Generator<void, InvertedIndex> {
    try {
      return yield* InvertedIndex.#decode(bytes, stepTerms);
    } catch (error) {
      if (error instanceof DamagedIndexError) throw error;
      throw new DamagedIndexError('Unreadable search index', { cause: error });
    }
  }

  static *#decode(bytes: Uint8Array, stepTerms: number): Generator<void, InvertedIndex> {
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (data.length < 20) throw new DamagedIndexError('Too short');
    const crcAt = data.length - 4;
    if (crc32(data.subarray(0, crcAt)) !== data.readUInt32LE(crcAt)) {
      throw new DamagedIndexError('Checksum mismatch');
    }
    if (data.readUInt32LE(0) !== MAGIC) throw new DamagedIndexError('Not a search index');
    if (data.readUInt32LE(4) < FORMAT) throw new OutdatedIndexError('An older search index');
    if (data.readUInt32LE(4) !== FORMAT) {
      throw new DamagedIndexError('Not a search index of this version');
    }
    const headerLength = data.readUInt32LE(8);
    const header = JSON.parse(data.toString('utf8', 12, 12 + headerLength)) as {
      docs: number;
      conversations: [string, string, number, number, number, [string, string, number, number][]][];
    };
    const index = new InvertedIndex();
    index.#docConversation = new Array<ConversationSlot | null>(header.docs).fill(null);
    index.#docMessage = new Array<string | null>(header.docs).fill(null);
    index.#docLength = new Uint32Array(Math.max(1024, header.docs));
    for (const [id, title, updatedAt, titleLength, titleDoc, messages] of header.conversations) {
      if (!(titleDoc >= 0 && titleDoc < header.docs)) {
        throw new DamagedIndexError('Document out of range');
      }
      const slot: ConversationSlot = {
        id,
        title,
        updatedAt,
        titleDoc,
        messages: new Map(),
        mark: 0,
        top: 0,
        best: 0,
        bestDoc: -1,
      };
      index.#conversations.set(id, slot);
      index.#docConversation[titleDoc] = slot;
      index.#docLength[titleDoc] = titleLength;
      index.#totalLength += titleLength;
      for (const [messageId, fingerprint, length, doc] of messages) {
        if (!(doc >= 0 && doc < header.docs)) throw new DamagedIndexError('Document out of range');
        slot.messages.set(messageId, [doc, fingerprint]);
        index.#docConversation[doc] = slot;
        index.#docMessage[doc] = messageId;
        index.#docLength[doc] = length;
        index.#totalLength += length;
      }
    }
    index.#liveDocs = header.docs;
    // Only where each term is, now; a posting is decoded when a query needs it.
    index.#table = yield* TermTable.read(
      data,
      12 + headerLength,
      crcAt - 4,
      header.docs,
      stepTerms,
    );
    if (data.readUInt32LE(crcAt - 4) !== 0xffffffff) throw new DamagedIndexError('No end mark');
    return index;
  }

  #addDoc(slot: ConversationSlot, messageId: string | null, text: string): number {
    const doc = this.#docConversation.length;
    this.#docConversation.push(slot);
    this.#docMessage.push(messageId);
    const counts = new Map<string, number>();
    let length = 0;
    forEachTerm(normalize(text), (term) => {
      counts.set(term, (counts.get(term) ?? 0) + 1);
      length++;
    });
    if (doc >= this.#docLength.length) {
      const grown = new Uint32Array(this.#docLength.length * 2);
      grown.set(this.#docLength);
      this.#docLength = grown;
    }
    this.#docLength[doc] = length;
    this.#totalLength += length;
    this.#liveDocs++;
    for (const [term, count] of counts) {
      let posting = this.#added.get(term);
      if (!posting) {
        posting = { ids: new Uint32Array(2), tf: new Uint8Array(2), n: 0 };
        this.#added.set(term, posting);
        const key = head(term);
        const bucket = this.#byHead.get(key);
        if (bucket) bucket.push(term);
        else this.#byHead.set(key, [term]);
      } else if (posting.n === posting.ids.length) {
        const ids = new Uint32Array(posting.n * 2);
        ids.set(posting.ids);
        const tf = new Uint8Array(posting.n * 2);
        tf.set(posting.tf);
        posting.ids = ids;
        posting.tf = tf;
      }
      posting.ids[posting.n] = doc;
      posting.tf[posting.n++] = Math.min(255, count);
      this.#decoded.delete(term);
    }
    return doc;
  }

  #deleteDoc(doc: number): void {
    if (this.#docConversation[doc] === null) return;
    this.#docConversation[doc] = null;
    this.#totalLength -= this.#docLength[doc] ?? 0;
    this.#liveDocs--;
  }

  /** The term's posting: its table part decoded and its added documents after it. */
  #posting(term: string): Posting | undefined {
    const cached = this.#decoded.get(term);
    if (cached) return cached;
    const at = this.#table.find(Buffer.from(term, 'utf8'));
    const added = this.#added.get(term);
    if (at < 0) return added;
    const stored = this.#table.decode(at);
    let posting = stored;
    if (added) {
      const n = stored.n + added.n;
      posting = { ids: new Uint32Array(n), tf: new Uint8Array(n), n };
      posting.ids.set(stored.ids.subarray(0, stored.n));
      posting.ids.set(added.ids.subarray(0, added.n), stored.n);
      posting.tf.set(stored.tf.subarray(0, stored.n));
      posting.tf.set(added.tf.subarray(0, added.n), stored.n);
    }
    if (this.#decoded.size >= DECODED_CACHE) this.#decoded.clear();
    this.#decoded.set(term, posting);
    return posting;
  }

  /** The postings a query term stands for: a prefix, the terms beginning with it in most documents. */
  #group({ term, prefix }: QueryTerm): Posting[] {
    if (!prefix) {
      const exact = this.#posting(term);
      return exact ? [exact] : [];
    }
    const frequency = new Map<string, number>();
    const key = Buffer.from(term, 'utf8');
    const table = this.#table;
    for (let i = table.lowerBound(key); i < table.count && table.startsWith(i, key); i++) {
      frequency.set(table.term(i), table.documentFrequency(i));
    }
    for (const candidate of this.#byHead.get(head(term)) ?? []) {
      if (!candidate.startsWith(term)) continue;
      const n = this.#added.get(candidate)?.n ?? 0;
      frequency.set(candidate, (frequency.get(candidate) ?? 0) + n);
    }
    const chosen = [...frequency]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_EXPANSIONS)
      .map(([candidate]) => candidate);
    const matches: Posting[] = [];
    for (const candidate of chosen) {
      const posting = this.#posting(candidate);
      if (posting) matches.push(posting);
    }
    return matches;
  }

  #idf(documentFrequency: number): number {
    return Math.log(1 + (this.#liveDocs - documentFrequency + 0.5) / (documentFrequency + 0.5));
  }

  #tfWeight(tf: number, doc: number, avgLength: number): number {
    const length = this.#docLength[doc] ?? 0;
    return (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / avgLength));
  }
}

/**
 * Code point order (= UTF-8 byte order, the table's), not UTF-16's: a surrogate (a code point
 * above U+FFFF) sorts after U+E000–U+FFFF.
 */
export function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
      y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Runs a stepped computation to its end at once. */
function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Position of `value` in the sorted first `n` of `ids`, or -1. */
function indexOf(ids: Uint32Array, n: number, value: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid] ?? 0;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
