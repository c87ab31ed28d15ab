import { describe, expect, it } from 'vitest';
import {
  ATTACHMENT_LIMITS,
  LatchkeyApiError,
  type AttachmentRef,
  type AttachmentUpload,
} from '../../../../preload/api';
import { ComposerAttachments } from '../../../../renderer/lib/attachments/pending.svelte';

const ref = (name: string): AttachmentRef => ({
  id: name.padEnd(64, '0').slice(0, 64),
  name,
  mediaType: 'text/plain',
  size: 1,
  kind: 'text',
});

function rig(refuse?: (upload: AttachmentUpload) => string | null) {
  const uploads: AttachmentUpload[] = [];
  const files = new ComposerAttachments(
    {
      attachFile: async (upload) => {
        uploads.push(upload);
        const code = refuse?.(upload);
        if (code) throw new LatchkeyApiError({ code, file: upload.name });
        return ref(upload.name);
      },
    },
    async (file) => ({ name: file.name, bytes: new Uint8Array(0) }),
  );
  return { files, uploads };
}

const file = (name: string, size = 4) => ({ name, size, type: 'text/plain' }) as unknown as File;

describe('ComposerAttachments', () => {
  it('keeps files per chat, ready once main took them; remove and move', async () => {
    const { files } = rig();
    await files.add('a', [file('one.txt'), file('two.txt')]);
    expect(files.items('a').map((i) => i.name)).toEqual(['one.txt', 'two.txt']);
    expect(files.refs('a').map((r) => r.name)).toEqual(['one.txt', 'two.txt']);
    expect(files.items('b')).toEqual([]);
    files.remove('a', files.items('a')[0]!.key);
    expect(files.refs('a').map((r) => r.name)).toEqual(['two.txt']);
    files.move('a', 'c');
    expect(files.items('a')).toEqual([]);
    expect(files.refs('c').map((r) => r.name)).toEqual(['two.txt']);
    files.clear('c');
    expect(files.items('c')).toEqual([]);
  });

  it('refuses a file over 20 MB without reading it, with its name', async () => {
    const { files, uploads } = rig();
    await files.add('a', [file('big.bin', ATTACHMENT_LIMITS.maxBytes + 1), file('ok.txt')]);
    expect(uploads.map((u) => u.name)).toEqual(['ok.txt']);
    expect(files.error('a')).toEqual({ code: 'ATTACHMENT_TOO_LARGE', file: 'big.bin' });
    expect(files.refs('a').map((r) => r.name)).toEqual(['ok.txt']);
  });

  it('main refusing a file (a fake .png) drops it and says why; an eleventh file is refused', async () => {
    const { files } = rig((u) => (u.name === 'fake.png' ? 'ATTACHMENT_TYPE_MISMATCH' : null));
    await files.add('a', [file('fake.png')]);
    expect(files.items('a')).toEqual([]);
    expect(files.error('a')).toMatchObject({ code: 'ATTACHMENT_TYPE_MISMATCH', file: 'fake.png' });
    files.dismissError('a');
    expect(files.error('a')).toBeNull();
    await files.add(
      'a',
      Array.from({ length: 11 }, (_, i) => file(`f${i}.txt`)),
    );
    expect(files.items('a')).toHaveLength(10);
    expect(files.error('a')).toEqual({ code: 'ATTACHMENT_TOO_MANY', file: 'f10.txt' });
  });
});
