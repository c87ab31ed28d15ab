import type { AttachmentRef, ChatMessage, ConversationSummary } from '../../preload/api';
import { LatchkeyError, toErrorView } from '../errors';
import type { Logger } from '../log';
import { userContent, type LoadedAttachment } from './attachment-content';
import type { AttachmentStore } from './attachment-store';
import type { ModelsCache } from './models-cache';
import type { ChatRequestInput } from './openrouter-chat';

type RequestMessage = ChatRequestInput['messages'][number];

/** A new user turn: what the request carries, and the files to keep with the stored message. */
export interface UserTurn {
  readonly content: RequestMessage['content'];
  /** The files, read and checked (bytes, and that the model reads them). */
  readonly loaded: readonly LoadedAttachment[];
  /** The stored message's `attachments` (absent without files). */
  readonly attachments?: readonly AttachmentRef[];
}

export interface RequestMessagesOptions {
  readonly models: ModelsCache;
  readonly attachments?: AttachmentStore;
  readonly log: Logger;
}

/**
 * Builds the `messages` of a chat request from stored messages: earlier turns with their files
 * (images and PDFs the model cannot read are named, not sent; a file gone from disk is left
 * out), answers with the `reasoning_details` the provider wants back, and a new user turn whose
 * files are checked before anything is stored or sent. What a model reads comes from the cached
 * model list (`architecture.input_modalities`; a model it does not describe reads text only).
 */
export class RequestMessages {
  readonly #o: RequestMessagesOptions;

  constructor(options: RequestMessagesOptions) {
    this.#o = options;
  }

  /** The history of `conversation` (its `messages`, or the part of them kept) for `model`. */
  history(
    conversation: ConversationSummary,
    messages: readonly ChatMessage[],
    model: string,
  ): ChatRequestInput['messages'] {
    const inputs = this.#inputModalities(conversation, model);
    return messages
      .filter(
        (m) =>
          (m.content.length > 0 || (m.attachments?.length ?? 0) > 0) &&
          (m.role === 'user' || m.status !== 'error'),
      )
      .map((m) => ({
        role: m.role,
        content: this.#historyContent(conversation.id, m, inputs),
        ...(m.role === 'assistant' && m.reasoningDetails?.length
          ? { reasoning_details: m.reasoningDetails }
          : {}),
      }));
  }

  /**
   * A new user turn of `text` with the files `refs` (staged, or already the conversation's).
   * @throws LatchkeyError `ATTACHMENT_*` when a file is missing, not what it claims, or one the
   *   model cannot read.
   */
  userTurn(
    conversation: ConversationSummary,
    text: string,
    refs: readonly AttachmentRef[],
    model: string,
  ): UserTurn {
    if (refs.length === 0) return { content: text, loaded: [] };
    if (!this.#o.attachments) throw new LatchkeyError('ATTACHMENT_NOT_FOUND');
    const loaded = this.#o.attachments.load(conversation.id, refs);
    return {
      content: userContent(text, loaded, this.#inputModalities(conversation, model)),
      loaded,
      attachments: loaded.map((a) => a.ref),
    };
  }

  #inputModalities(conversation: ConversationSummary, model: string): readonly string[] {
    const info = this.#o.models.read(conversation.provider)?.models.find((m) => m.id === model);
    return info?.inputModalities ?? ['text'];
  }

  #historyContent(
    conversationId: string,
    m: ChatMessage,
    inputs: readonly string[],
  ): RequestMessage['content'] {
    const store = this.#o.attachments;
    if (m.role !== 'user' || !m.attachments?.length || !store) return m.content;
    const loaded: LoadedAttachment[] = [];
    for (const ref of m.attachments) {
      try {
        loaded.push(...store.load(conversationId, [ref]));
      } catch (error) {
        this.#o.log.warn('chat.attachment.missing', { code: toErrorView(error).code });
      }
    }
    return userContent(m.content, loaded, inputs, false);
  }
}
