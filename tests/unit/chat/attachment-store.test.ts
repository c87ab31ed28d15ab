import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTACHMENT_LIMITS, type AttachmentRef } from '../../../preload/api';
import { AttachmentStore, cleanName, inspectAttachment } from '../../../main/chat/attachment-store';
import { LatchkeyError } from '../../../main/errors';

/** A 1×1 PNG (the smallest valid one). */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG_HEAD = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
  0x00, 0x01, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03, 0x01, 0x22,
]);
const GIF = Buffer.from('GIF89a\x03\x00\x02\x00\x00\x00\x00;', 'latin1');
const WEBP_VP8X = Buffer.concat([
  Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00', 'latin1'),
  Buffer.from([99, 0, 0, 49, 0, 0]),
]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n');

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof LatchkeyError ? error.code : 'not a LatchkeyError';
  }
}

describe('inspectAttachment: what a file is, by its bytes', () => {
  it('knows PNG, JPEG, GIF and WebP by their magic numbers, with their size in pixels', () => {
    expect(inspectAttachment(PNG_1X1, 'dot.png')).toEqual({
      kind: 'image',
      mediaType: 'image/png',
      width: 1,
      height: 1,
    });
    expect(inspectAttachment(JPEG_HEAD, 'photo.jpg')).toEqual({
      kind: 'image',
      mediaType: 'image/jpeg',
      width: 640,
      height: 480,
    });
    expect(inspectAttachment(GIF, 'a.gif')).toMatchObject({ mediaType: 'image/gif', width: 3 });
    expect(inspectAttachment(WEBP_VP8X, 'a.webp')).toMatchObject({
      mediaType: 'image/webp',
      width: 100,
      height: 50,
    });
  });

  it('goes by the bytes, not the name: a PNG named .txt is an image, a PDF named .bin a PDF', () => {
    expect(inspectAttachment(PNG_1X1, 'notes.txt').kind).toBe('image');
    expect(inspectAttachment(PDF, 'paper.bin')).toEqual({
      kind: 'pdf',
      mediaType: 'application/pdf',
    });
  });

  it('refuses a file renamed to .png (or .pdf) that is not one', () => {
    expect(codeOf(() => inspectAttachment(Buffer.from('just some text'), 'fake.png'))).toBe(
      'ATTACHMENT_TYPE_MISMATCH',
    );
    expect(codeOf(() => inspectAttachment(PNG_1X1, 'paper.pdf'))).toBe('ATTACHMENT_TYPE_MISMATCH');
    expect(codeOf(() => inspectAttachment(PDF, 'photo.JPG'))).toBe('ATTACHMENT_TYPE_MISMATCH');
    try {
      inspectAttachment(Buffer.from('x'), 'fake.png');
    } catch (error) {
      expect((error as LatchkeyError).details.file).toBe('fake.png');
    }
  });

  it('text is valid UTF-8 without NUL, at most 512 KB; other bytes are unsupported', () => {
    expect(inspectAttachment(Buffer.from('const a = "中文";\n'), 'a.ts')).toEqual({
      kind: 'text',
      mediaType: 'text/plain',
    });
    expect(codeOf(() => inspectAttachment(Buffer.from([0x61, 0x00, 0x62]), 'a.txt'))).toBe(
      'ATTACHMENT_UNSUPPORTED',
    );
    expect(codeOf(() => inspectAttachment(Buffer.from([0xc3, 0x28]), 'bad.txt'))).toBe(
      'ATTACHMENT_UNSUPPORTED',
    );
    const big = Buffer.alloc(ATTACHMENT_LIMITS.maxTextBytes + 1, 0x61);
    expect(codeOf(() => inspectAttachment(big, 'big.log'))).toBe('ATTACHMENT_TEXT_TOO_LARGE');
    expect(inspectAttachment(big.subarray(1), 'ok.log').kind).toBe('text');
  });

  it('refuses anything over 20 MB', () => {
    const huge = Buffer.alloc(ATTACHMENT_LIMITS.maxBytes + 1);
    PNG_1X1.copy(huge);
    expect(codeOf(() => inspectAttachment(huge, 'huge.png'))).toBe('ATTACHMENT_TOO_LARGE');
  });

  it('cleanName keeps the base name, without control characters', () => {
    expect(cleanName('C:\\Users\\me\\a.png')).toBe('a.png');
    expect(cleanName('../../etc/passwd')).toBe('passwd');
    expect(cleanName('a\nb\u0000.txt')).toBe('ab.txt');
    expect(cleanName('')).toBe('file');
  });
});

describe('AttachmentStore: content-addressed files beside the conversations', () => {
  let dir: string;
  const C1 = '11111111-1111-4111-8111-111111111111';
  const C2 = '22222222-2222-4222-8222-222222222222';
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const upload = (name: string, bytes: Buffer) => ({ name, bytes: new Uint8Array(bytes) });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(tmpdir(), 'latchkey-attach-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stages by SHA-256, keeps once per conversation, deletes with the conversation only', () => {
    const store = AttachmentStore.open({ dir });
    const ref = store.stage(upload('dot.png', PNG_1X1));
    expect(ref).toEqual({
      id: sha(PNG_1X1),
      name: 'dot.png',
      size: PNG_1X1.length,
      kind: 'image',
      mediaType: 'image/png',
      width: 1,
      height: 1,
    });
    const again = store.stage(upload('copy.png', PNG_1X1));
    expect(again.id).toBe(ref.id);

    for (const c of [C1, C2]) store.keep(c, store.load(c, [ref]));
    store.keep(C1, store.load(C1, [again]));
    const folder = (c: string) => path.join(dir, 'conversations', 'attachments', c);
    expect(fs.readdirSync(folder(C1))).toEqual([ref.id]);
    expect(store.read(C1, ref.id).equals(PNG_1X1)).toBe(true);

    store.deleteConversation(C1);
    expect(fs.existsSync(folder(C1))).toBe(false);
    expect(store.read(C2, ref.id).equals(PNG_1X1)).toBe(true);
    expect(codeOf(() => store.read(C1, ref.id))).toBe('ATTACHMENT_NOT_FOUND');
  });

  it('load re-checks the bytes: kind and type come from them, not from the page', () => {
    const store = AttachmentStore.open({ dir });
    const ref = store.stage(upload('a.md', Buffer.from('# hi\n')));
    const forged: AttachmentRef = { ...ref, kind: 'image', mediaType: 'image/png', size: 1 };
    const [loaded] = store.load(C1, [forged]);
    expect(loaded?.ref).toMatchObject({ kind: 'text', mediaType: 'text/plain', size: 5 });
    expect(codeOf(() => store.load(C1, [{ id: 'f'.repeat(64), name: 'x.png' }]))).toBe(
      'ATTACHMENT_NOT_FOUND',
    );
    expect(codeOf(() => store.load(C1, [{ id: '../index.json', name: 'x' }]))).toBe(
      'ATTACHMENT_NOT_FOUND',
    );
    const eleven = Array.from({ length: 11 }, () => ref);
    expect(codeOf(() => store.load(C1, eleven))).toBe('ATTACHMENT_TOO_MANY');
    expect(codeOf(() => store.load('../x', [ref]))).toBe('CHAT_NOT_FOUND');
  });

  it('a staged file that was never sent is gone after a restart; a kept one stays', () => {
    const store = AttachmentStore.open({ dir });
    const kept = store.stage(upload('a.txt', Buffer.from('kept')));
    const dropped = store.stage(upload('b.txt', Buffer.from('dropped')));
    store.keep(C1, store.load(C1, [kept]));
    const reopened = AttachmentStore.open({ dir });
    expect(reopened.read(C1, kept.id).toString()).toBe('kept');
    expect(codeOf(() => reopened.load(C1, [dropped]))).toBe('ATTACHMENT_NOT_FOUND');
  });

  it('refuses a renamed file, writing nothing', () => {
    const store = AttachmentStore.open({ dir });
    expect(codeOf(() => store.stage(upload('fake.png', Buffer.from('hello'))))).toBe(
      'ATTACHMENT_TYPE_MISMATCH',
    );
    const staging = path.join(dir, 'conversations', 'attachments', 'staging');
    expect(fs.existsSync(staging) ? fs.readdirSync(staging) : []).toEqual([]);
  });
});
