import {
  ATTACHMENT_LIMITS,
  type AttachmentRef,
  type AttachmentUpload,
  type ErrorView,
  type LatchkeyApi,
} from '../../../preload/api';
import { SvelteMap } from 'svelte/reactivity';
import { errorViewOf } from '../api';

/** A file waiting in the composer: being prepared (downscaled, checked by main), then ready. */
export interface PendingFile {
  /** Local key, for the list and "Remove <name>". */
  readonly key: number;
  readonly name: string;
  readonly size: number;
  /** Main's reference once the file was checked and kept; null while it is being prepared. */
  readonly ref: AttachmentRef | null;
}

class ChatFiles {
  items = $state.raw<readonly PendingFile[]>([]);
  error = $state.raw<ErrorView | null>(null);
}

/** How a file becomes an upload (the lazy worker module in the app; a stub in tests). */
export type Prepare = (file: File) => Promise<AttachmentUpload>;

const lazyPrepare: Prepare = async (file) => (await import('./prepare')).prepareUpload(file);

/**
 * The files waiting in each chat's composer (by chat key, like drafts). A file over 20 MB or an
 * eleventh file is refused here at once, without reading it; every other file is prepared off
 * the main thread and handed to main (`chat:attach`), which checks its bytes. A refusal is shown
 * as the chat's attachment error and nothing else changes. After a failed send the files stay.
 */
export class ComposerAttachments {
  readonly #api: Pick<LatchkeyApi, 'attachFile'>;
  readonly #prepare: Prepare;
  readonly #chats = new SvelteMap<string, ChatFiles>();
  #keys = 0;

  constructor(api: Pick<LatchkeyApi, 'attachFile'>, prepare: Prepare = lazyPrepare) {
    this.#api = api;
    this.#prepare = prepare;
  }

  items(chat: string): readonly PendingFile[] {
    return this.#chats.get(chat)?.items ?? [];
  }

  error(chat: string): ErrorView | null {
    return this.#chats.get(chat)?.error ?? null;
  }

  /** True while a file of the chat is still being prepared (sending waits). */
  preparing(chat: string): boolean {
    return this.items(chat).some((item) => item.ref === null);
  }

  /** The references to send with the chat's next message. */
  refs(chat: string): AttachmentRef[] {
    return this.items(chat).flatMap((item) => (item.ref ? [item.ref] : []));
  }

  dismissError(chat: string): void {
    const files = this.#chats.get(chat);
    if (files) files.error = null;
  }

  /** Adds files; those over the limits are refused with the chat's attachment error. */
  async add(chat: string, files: readonly File[]): Promise<void> {
    const state = this.#of(chat);
    state.error = null;
    const work: Promise<void>[] = [];
    for (const file of files) {
      if (state.items.length >= ATTACHMENT_LIMITS.maxFilesPerMessage) {
        state.error = { code: 'ATTACHMENT_TOO_MANY', file: file.name };
        break;
      }
      if (file.size > ATTACHMENT_LIMITS.maxBytes) {
        state.error = { code: 'ATTACHMENT_TOO_LARGE', file: file.name };
        continue;
      }
      const item: PendingFile = { key: ++this.#keys, name: file.name, size: file.size, ref: null };
      state.items = [...state.items, item];
      work.push(this.#upload(state, item, file));
    }
    await Promise.all(work);
  }

  remove(chat: string, key: number): void {
    const state = this.#chats.get(chat);
    if (state) state.items = state.items.filter((item) => item.key !== key);
  }

  clear(chat: string): void {
    this.#chats.delete(chat);
  }

  /** A new chat became a conversation: its waiting files go with it. */
  move(from: string, to: string): void {
    const state = this.#chats.get(from);
    if (!state || from === to) return;
    this.#chats.delete(from);
    this.#chats.set(to, state);
  }

  async #upload(state: ChatFiles, item: PendingFile, file: File): Promise<void> {
    try {
      const ref = await this.#api.attachFile(await this.#prepare(file));
      // Main's name wins (cleaned), the size is what was stored (after downscaling).
      state.items = state.items.map((i) => (i.key === item.key ? { ...i, ref } : i));
    } catch (error) {
      state.items = state.items.filter((i) => i.key !== item.key);
      const view = errorViewOf(error);
      state.error = view.file === undefined ? { ...view, file: file.name } : view;
    }
  }

  #of(chat: string): ChatFiles {
    let state = this.#chats.get(chat);
    if (!state) this.#chats.set(chat, (state = new ChatFiles()));
    return state;
  }
}
