/**
 * What the crash-fuzz parent (scripts/crash-fuzz/fuzz.ts) and its child (child.ts) say to each
 * other: commands as JSON lines on the child's stdin, replies and events as JSON lines on its
 * stdout. A reply is written only once its operation has returned, so everything a reply
 * acknowledges was on disk before the parent could have killed the child.
 */

/** A command from the parent; `id` comes back in its reply. */
export type Command =
  | { readonly id: number; readonly op: 'sign-in'; readonly emulatorUrl: string }
  | { readonly id: number; readonly op: 'create' }
  | {
      readonly id: number;
      readonly op: 'send';
      readonly conversationId: string;
      readonly text: string;
    }
  | {
      readonly id: number;
      readonly op: 'rename';
      readonly conversationId: string;
      readonly title: string;
    }
  | { readonly id: number; readonly op: 'delete'; readonly conversationId: string };

/** A stored message as the child sees it after `ChatService.open` (content as hash + length). */
export interface MessageSnapshot {
  readonly id: string;
  readonly role: 'user' | 'assistant';
  readonly status: string;
  /** sha256 of the UTF-8 content, hex. */
  readonly hash: string;
  readonly length: number;
}

export interface ConversationSnapshot {
  readonly id: string;
  readonly title: string;
  readonly messages: readonly MessageSnapshot[];
}

/** Everything the parent checks after a restart. */
export interface Snapshot {
  readonly signedIn: boolean;
  /** sha256 of the OpenRouter key in use (never the key itself), or null. */
  readonly keyHash: string | null;
  readonly conversations: readonly ConversationSnapshot[];
  /** Every file under the data dir, relative, `/`-separated. */
  readonly files: readonly string[];
  /** Notice codes raised at start (e.g. STORE_CORRUPT_MOVED). */
  readonly notices: readonly string[];
}

/** One line on the child's stdout. */
export type Report =
  | { readonly t: 'ready'; readonly startMs: number; readonly snapshot: Snapshot }
  | { readonly t: 'start-failed'; readonly error: string }
  | { readonly t: 'ok'; readonly id: number; readonly result: Acknowledged }
  | { readonly t: 'error'; readonly id: number; readonly code: string }
  /** Text of a streaming answer sent to the renderer so far (chat:delta), in characters. */
  | { readonly t: 'delta'; readonly messageId: string; readonly chars: number }
  /** A finished answer (chat:message): stored before this event is emitted. */
  | {
      readonly t: 'done';
      readonly conversationId: string;
      readonly messageId: string;
      readonly status: string;
      readonly hash: string;
      readonly length: number;
    };

/** What a reply acknowledges. */
export type Acknowledged =
  | { readonly op: 'sign-in'; readonly keyHash: string }
  | { readonly op: 'create'; readonly conversationId: string; readonly title: string }
  | {
      readonly op: 'send';
      readonly title: string;
      readonly userMessageId: string;
      readonly assistantMessageId: string;
    }
  | { readonly op: 'rename'; readonly title: string }
  | { readonly op: 'delete' };
