import type { ChatMessage, Conversation, ConversationMarkdown } from '../../preload/api';
import { assertNever } from '../errors';

/** What an empty title exports as (the UI's English name for an untitled chat). */
export const UNTITLED = 'New chat';

/**
 * The longest file name {@link exportFilename} returns, in UTF-8 bytes with `.md`: under the
 * 255-byte limit of ext4/APFS and the 255 UTF-16 units of NTFS, with room for a " (1)" that a
 * browser or save dialog may add to avoid overwriting a file.
 */
export const MAX_FILENAME_BYTES = 200;

/**
 * One conversation as a Markdown document, with a file name for it. Built from the stored
 * conversation only: nothing else of the app's state (credentials, other conversations, the
 * unsent draft) is read, so nothing else can end up in the file.
 *
 * The role markers ("**You**", "**Assistant**") and status notes are English whatever the UI
 * language: the document outlives the app's language setting, is often shared, and stays
 * recognisable to tools that split it back into turns.
 */
export function conversationMarkdown(conversation: Conversation): ConversationMarkdown {
  return {
    filename: exportFilename(conversation.title),
    markdown: renderMarkdown(conversation),
  };
}

/** The document: the title as `# `, then each message under its role line, separated by rules. */
export function renderMarkdown(conversation: Conversation): string {
  const title = oneLine(conversation.title) || UNTITLED;
  const parts = [`# ${title}`];
  for (const message of conversation.messages) parts.push(renderMessage(message));
  return `${parts.join('\n\n---\n\n')}\n`;
}

function renderMessage(message: ChatMessage): string {
  const who =
    message.role === 'user'
      ? '**You**'
      : `**Assistant**${message.model ? ` (${oneLine(message.model)})` : ''}`;
  const lines = [`${who} · ${timestamp(message.createdAt)}`];
  if (message.reasoning) lines.push(renderReasoning(message.reasoning, message.reasoningMs));
  const content = closeOpenFence(message.content.replace(/\r\n?/g, '\n').trimEnd());
  if (content !== '') lines.push(content);
  const files = message.attachments ?? [];
  if (files.length > 0) {
    // Names only: the files stay on this device (a document does not carry them).
    const names = files.map((file) => `\`${oneLine(file.name).replace(/`/g, "'")}\``);
    lines.push(`_Attached: ${names.join(', ')}_`);
  }
  const note = statusNote(message);
  if (note) lines.push(`> _${note}_`);
  return lines.join('\n\n');
}

/**
 * A thinking model's reasoning, above its answer in a collapsed `<details>` block (rendered
 * folded by GitHub, VS Code, Obsidian…): the export keeps everything the chat shows, and the
 * answer stays what a reader sees first. A fence left open is closed and a `</details` inside
 * is escaped, so the reasoning cannot swallow or close anything after it.
 */
function renderReasoning(reasoning: string, ms: number | undefined): string {
  const body = closeOpenFence(reasoning.replace(/\r\n?/g, '\n').trim()).replace(
    /<\/details/gi,
    '&lt;/details',
  );
  const took = ms === undefined ? '' : ` (${Math.max(1, Math.round(ms / 1000))} s)`;
  return `<details>\n<summary>Reasoning${took}</summary>\n\n${body}\n\n</details>`;
}

/** A note for an answer that is not a complete one; null when there is nothing to say. */
function statusNote(message: ChatMessage): string | null {
  switch (message.status) {
    case 'complete':
      return null;
    case 'streaming':
      return 'Still being written when exported: this answer is incomplete.';
    case 'stopped':
      return 'Stopped: this answer is incomplete.';
    case 'incomplete':
      return 'Incomplete: the answer was cut off.';
    case 'error': {
      const status = message.error?.status === undefined ? '' : `, HTTP ${message.error.status}`;
      return `Error (${message.error?.code ?? 'unknown'}${status}): this answer failed.`;
    }
    default:
      return assertNever(message.status);
  }
}

/** `2026-12-03 13:04 UTC`: the same in every time zone, so an export is reproducible. */
function timestamp(epochMs: number): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return 'unknown time';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * Closes a code fence left open (an answer stopped or cut off inside a code block), so the
 * messages after it are not swallowed into the block. CommonMark §4.5: a fence closes with the
 * same character, at least as long, and nothing but spaces after it.
 */
export function closeOpenFence(content: string): string {
  let open: string | null = null;
  for (const line of content.split('\n')) {
    const match = FENCE.exec(line);
    if (!match) continue;
    const [, fence = '', rest = ''] = match;
    if (open === null) {
      // A backtick fence's info string may not contain backticks.
      if (!(fence.startsWith('`') && rest.includes('`'))) open = fence;
    } else if (fence[0] === open[0] && fence.length >= open.length && rest.trim() === '') {
      open = null;
    }
  }
  return open === null ? content : `${content}\n${open}`;
}

/** Characters no file name may hold on Windows, macOS or Linux, and C0/C1 controls. */
// eslint-disable-next-line no-control-regex -- the control characters are the point
const FORBIDDEN = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f]/g;
/** Bidirectional controls, which can make `evil\u202Edm.exe` display as `evilexe.md`. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Device names Windows reserves, with any extension (`CON`, `con.txt`, `COM1`, `LPT¹`). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * `<title>.md`, safe on every OS: separators, characters Windows forbids and control characters
 * become spaces, leading dots and spaces go (no hidden file, no `..`), trailing dots and spaces
 * go (Windows drops them), a reserved device name gets a `_`, and the name is cut at a whole
 * character (grapheme) to {@link MAX_FILENAME_BYTES}. An empty result is {@link UNTITLED}.
 */
export function exportFilename(title: string): string {
  let base = title
    .normalize('NFC')
    .replace(BIDI, '')
    .replace(FORBIDDEN, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+/, '');
  base = trimEnd(truncateBytes(base, MAX_FILENAME_BYTES - '.md'.length));
  if (base === '') base = UNTITLED;
  const reserved = RESERVED.exec(base);
  if (reserved) base = `${reserved[1]}_${reserved[2] ?? ''}`;
  return `${base}.md`;
}

function trimEnd(text: string): string {
  return text.replace(/[\s.]+$/, '');
}

const encoder = new TextEncoder();
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest prefix of whole graphemes (an emoji with its modifiers stays whole) within `max` bytes. */
function truncateBytes(text: string, max: number): string {
  if (encoder.encode(text).length <= max) return text;
  let out = '';
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = encoder.encode(segment).length;
    if (bytes + size > max) break;
    out += segment;
    bytes += size;
  }
  return out;
}
