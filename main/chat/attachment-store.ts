import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileSync } from 'atomically';
import {
  ATTACHMENT_LIMITS,
  type AttachmentKind,
  type AttachmentRef,
  type AttachmentUpload,
} from '../../preload/api';
import { STORE_FILE_MODE } from '../credentials/credential-store';
import { LatchkeyError } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Attachment ids are SHA-256 digests in hex: they name files, so nothing else may reach the disk. */
export const ATTACHMENT_ID = /^[0-9a-f]{64}$/;

/** What the bytes of a file are, decided from the bytes alone. */
export interface Inspected {
  readonly kind: AttachmentKind;
  readonly mediaType: string;
  readonly width?: number;
  readonly height?: number;
}

/** Extensions whose files people expect to be images or PDFs: their bytes must say so too. */
const IMAGE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'jpe',
  'jfif',
  'gif',
  'webp',
  'bmp',
  'tif',
  'tiff',
  'heic',
  'heif',
  'avif',
  'ico',
]);

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function startsWith(bytes: Uint8Array, magic: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + magic.length) return false;
  return magic.every((b, i) => bytes[offset + i] === b);
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');
const PDF = ascii('%PDF-');

/** The image type of `bytes` by its magic number, with its size in pixels when the header has it. */
function sniffImage(bytes: Uint8Array): Inspected | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (startsWith(bytes, PNG)) {
    const size =
      bytes.length >= 24 ? { width: view.getUint32(16), height: view.getUint32(20) } : {};
    return { kind: 'image', mediaType: 'image/png', ...size };
  }
  if (startsWith(bytes, JPEG))
    return { kind: 'image', mediaType: 'image/jpeg', ...jpegSize(bytes) };
  if (startsWith(bytes, GIF87) || startsWith(bytes, GIF89)) {
    const size =
      bytes.length >= 10 ? { width: view.getUint16(6, true), height: view.getUint16(8, true) } : {};
    return { kind: 'image', mediaType: 'image/gif', ...size };
  }
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) {
    return { kind: 'image', mediaType: 'image/webp', ...webpSize(bytes, view) };
  }
  return null;
}

/** Width and height from the first start-of-frame marker (SOF0–SOF15 but DHT, JPG, DAC). */
function jpegSize(bytes: Uint8Array): { width?: number; height?: number } {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return {};
    const marker = bytes[i + 1] ?? 0;
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    const length = ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = ((bytes[i + 5] ?? 0) << 8) | (bytes[i + 6] ?? 0);
      const width = ((bytes[i + 7] ?? 0) << 8) | (bytes[i + 8] ?? 0);
      return { width, height };
    }
    if (length < 2) return {};
    i += 2 + length;
  }
  return {};
}

function webpSize(bytes: Uint8Array, view: DataView): { width?: number; height?: number } {
  if (bytes.length < 30) return {};
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunk === 'VP8X') {
    const w = (bytes[24] ?? 0) | ((bytes[25] ?? 0) << 8) | ((bytes[26] ?? 0) << 16);
    const h = (bytes[27] ?? 0) | ((bytes[28] ?? 0) << 8) | ((bytes[29] ?? 0) << 16);
    return { width: w + 1, height: h + 1 };
  }
  if (chunk === 'VP8 ') {
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  return {};
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True for valid UTF-8 without NUL: what we are willing to inline as text. */
export function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides what a file is from its bytes: PNG, JPEG, GIF and WebP images and PDFs by their magic
 * numbers, text as valid UTF-8 without NUL (≤ 512 KB, since it is inlined). A name that promises
 * an image or a PDF must be one (a renamed file is refused, not sent as something else).
 * @throws LatchkeyError `ATTACHMENT_TOO_LARGE`, `ATTACHMENT_TYPE_MISMATCH`,
 *   `ATTACHMENT_TEXT_TOO_LARGE`, `ATTACHMENT_UNSUPPORTED` (with `file`).
 */
export function inspectAttachment(bytes: Uint8Array, name: string): Inspected {
  const file = { file: name };
  if (bytes.length > ATTACHMENT_LIMITS.maxBytes)
    throw new LatchkeyError('ATTACHMENT_TOO_LARGE', file);
  const extension = extensionOf(name);
  const image = sniffImage(bytes);
  const pdf = startsWith(bytes, PDF);
  if (IMAGE_EXTENSIONS.has(extension) && !image) {
    throw new LatchkeyError('ATTACHMENT_TYPE_MISMATCH', file);
  }
  if (extension === 'pdf' && !pdf) throw new LatchkeyError('ATTACHMENT_TYPE_MISMATCH', file);
  if (image) return image;
  if (pdf) return { kind: 'pdf', mediaType: 'application/pdf' };
  if (!isText(bytes)) throw new LatchkeyError('ATTACHMENT_UNSUPPORTED', file);
  if (bytes.length > ATTACHMENT_LIMITS.maxTextBytes) {
    throw new LatchkeyError('ATTACHMENT_TEXT_TOO_LARGE', file);
  }
  return { kind: 'text', mediaType: 'text/plain' };
}

/** A file name as shown and sent: no path, no control characters, at most 255 characters. */
export function cleanName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean.slice(0, ATTACHMENT_LIMITS.maxNameChars) || 'file';
}

export interface AttachmentStoreOptions {
  /** Data directory: attachments live in `<dir>/conversations/attachments/`. */
  readonly dir: string;
}

/**
 * Attachments on disk, beside the conversations and never inside their JSON:
 * `conversations/attachments/<conversation id>/<sha256>`, one file per distinct content per
 * conversation (content-addressed: the same file attached twice is stored once), so deleting a
 * conversation deletes its folder and nothing another conversation uses. A file attached before
 * its message is sent (a new chat has no conversation yet) waits in `attachments/staging/`,
 * emptied at every start; sending copies it into the conversation's folder before the message
 * that names it is written. Every write is atomic (temporary file, fsync, rename; mode 0600).
 */
export class AttachmentStore {
  readonly dir: string;
  readonly #staging: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.#staging = path.join(dir, 'staging');
  }

  /** Opens the store and empties the staging folder (files attached but never sent). */
  static open(options: AttachmentStoreOptions): AttachmentStore {
    const store = new AttachmentStore(path.join(options.dir, 'conversations', 'attachments'));
    try {
      fs.rmSync(store.#staging, { recursive: true, force: true });
    } catch {
      // Left over for the next start; nothing reads it.
    }
    return store;
  }

  /**
   * Checks an uploaded file by its bytes and keeps it for the next send.
   * @throws LatchkeyError `ATTACHMENT_TOO_LARGE`, `ATTACHMENT_TYPE_MISMATCH`,
   *   `ATTACHMENT_UNSUPPORTED`, `ATTACHMENT_TEXT_TOO_LARGE`, `STORE_WRITE_FAILED`.
   */
  stage(upload: AttachmentUpload): AttachmentRef {
    const name = cleanName(upload.name);
    const { bytes: raw } = upload;
    const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const inspected = inspectAttachment(bytes, name);
    const id = createHash('sha256').update(bytes).digest('hex');
    this.#write(this.#staging, id, bytes);
    return { id, name, size: bytes.length, ...inspected };
  }

  /**
   * The attachments of a message about to be sent: each is found (in the conversation's folder,
   * or staged), and checked again from its bytes. Returns the refs as main sees them (kind, type
   * and size from the bytes; only the name from the page) with their bytes. Writes nothing:
   * {@link keep} does, once every check before sending passed.
   * @throws LatchkeyError `ATTACHMENT_TOO_MANY`, `ATTACHMENT_NOT_FOUND` and those of
   *   {@link inspectAttachment}.
   */
  load(
    conversationId: string,
    refs: readonly Pick<AttachmentRef, 'id' | 'name'>[],
  ): { ref: AttachmentRef; bytes: Buffer }[] {
    if (refs.length > ATTACHMENT_LIMITS.maxFilesPerMessage) {
      throw new LatchkeyError('ATTACHMENT_TOO_MANY');
    }
    const folder = this.#folder(conversationId);
    return refs.map(({ id, name: raw }) => {
      const name = cleanName(raw);
      if (!ATTACHMENT_ID.test(id)) throw new LatchkeyError('ATTACHMENT_NOT_FOUND', { file: name });
      const bytes = this.#readEither(folder, id, name);
      if (createHash('sha256').update(bytes).digest('hex') !== id) {
        throw new LatchkeyError('ATTACHMENT_NOT_FOUND', { file: name });
      }
      const inspected = inspectAttachment(bytes, name);
      return { ref: { id, name, size: bytes.length, ...inspected }, bytes };
    });
  }

  /**
   * Stores loaded attachments in the conversation's folder (once per content), before the
   * message naming them is written.
   * @throws LatchkeyError `STORE_WRITE_FAILED`.
   */
  keep(conversationId: string, loaded: readonly { ref: AttachmentRef; bytes: Uint8Array }[]): void {
    const folder = this.#folder(conversationId);
    for (const { ref, bytes } of loaded) {
      if (!fs.existsSync(path.join(folder, ref.id))) this.#write(folder, ref.id, bytes);
    }
  }

  /**
   * The bytes of a conversation's attachment.
   * @throws LatchkeyError `ATTACHMENT_NOT_FOUND`.
   */
  read(conversationId: string, id: string): Buffer {
    if (!ATTACHMENT_ID.test(id)) throw new LatchkeyError('ATTACHMENT_NOT_FOUND');
    try {
      return fs.readFileSync(path.join(this.#folder(conversationId), id));
    } catch (error) {
      throw new LatchkeyError('ATTACHMENT_NOT_FOUND', {}, { cause: error });
    }
  }

  /** Deletes every attachment of a conversation (its folder); nothing else uses them. */
  deleteConversation(conversationId: string): void {
    try {
      fs.rmSync(this.#folder(conversationId), { recursive: true, force: true });
    } catch {
      // An unremovable folder is only disk space: the conversation is gone either way.
    }
  }

  #readEither(folder: string, id: string, name: string): Buffer {
    for (const dir of [folder, this.#staging]) {
      try {
        return fs.readFileSync(path.join(dir, id));
      } catch {
        // Try the next place.
      }
    }
    throw new LatchkeyError('ATTACHMENT_NOT_FOUND', { file: name });
  }

  #folder(conversationId: string): string {
    if (!UUID.test(conversationId)) throw new LatchkeyError('CHAT_NOT_FOUND');
    return path.join(this.dir, conversationId);
  }

  #write(dir: string, id: string, bytes: Uint8Array): void {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(path.join(dir, id), bytes, { mode: STORE_FILE_MODE });
    } catch (error) {
      throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: error });
    }
  }
}
