import type { ErrorView, LatchkeyApi } from '../../../preload/api';
import { errorViewOf } from '../api';
import { copyText } from '../clipboard';
import { downloadText } from '../download';

/** What an export or copy came to, for the button's brief "done" feedback. */
export type ExportOutcome = 'done' | 'cancelled' | 'failed';

/**
 * "Export conversation" and "Copy conversation": main builds the Markdown from the stored
 * conversation (main/chat/export-markdown.ts); this class saves or copies it. Whether the file
 * is saved by main (Electron's save dialog) or downloaded here (the browser harness) is main's
 * answer ({@link ExportResult}), never a guess about the shell.
 */
export class ConversationExport {
  readonly #api: LatchkeyApi;

  /** The last failed export or copy, shown until dismissed or the next attempt. */
  error = $state.raw<ErrorView | null>(null);
  /** True while main builds or saves the file (the save dialog may be open). */
  busy = $state(false);

  constructor(api: LatchkeyApi) {
    this.#api = api;
  }

  /** Saves conversation `id` as `<title>.md`; a cancelled save dialog is no error. */
  async save(id: string): Promise<ExportOutcome> {
    return this.#run(async () => {
      const result = await this.#api.exportConversation(id);
      switch (result.kind) {
        case 'saved':
          return 'done';
        case 'cancelled':
          return 'cancelled';
        case 'download':
          downloadText(result.filename, result.markdown, 'text/markdown;charset=utf-8');
          return 'done';
      }
    });
  }

  /** Copies conversation `id` as Markdown to the clipboard. */
  async copy(id: string): Promise<ExportOutcome> {
    return this.#run(async () => {
      const { markdown } = await this.#api.conversationMarkdown(id);
      if (await copyText(markdown)) return 'done';
      this.error = { code: 'CLIPBOARD_FAILED' };
      return 'failed';
    });
  }

  dismissError(): void {
    this.error = null;
  }

  async #run(task: () => Promise<ExportOutcome>): Promise<ExportOutcome> {
    this.error = null;
    this.busy = true;
    try {
      return await task();
    } catch (error) {
      this.error = errorViewOf(error);
      return 'failed';
    } finally {
      this.busy = false;
    }
  }
}
