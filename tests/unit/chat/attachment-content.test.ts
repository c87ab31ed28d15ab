import { describe, expect, it } from 'vitest';
import type { AttachmentRef } from '../../../preload/api';
import {
  checkModalities,
  fencedBlock,
  userContent,
  type LoadedAttachment,
} from '../../../main/chat/attachment-content';
import { LatchkeyError } from '../../../main/errors';

const ref = (kind: AttachmentRef['kind'], name: string, mediaType: string): AttachmentRef => ({
  id: 'a'.repeat(64),
  name,
  mediaType,
  size: 3,
  kind,
});
const image: LoadedAttachment = {
  ref: ref('image', 'cat.png', 'image/png'),
  bytes: new Uint8Array([1, 2, 3]),
};
const pdf: LoadedAttachment = {
  ref: ref('pdf', 'paper.pdf', 'application/pdf'),
  bytes: new TextEncoder().encode('%PDF-1.4'),
};
const text: LoadedAttachment = {
  ref: ref('text', 'notes.md', 'text/plain'),
  bytes: new TextEncoder().encode('# Notes\n```js\nx\n```\n'),
};

function code(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof LatchkeyError ? `${error.code}:${error.details.file}` : 'other';
  }
  return undefined;
}

describe('request parts per modality', () => {
  it('images become image_url data-URL parts, PDFs file parts, after the text', () => {
    expect(userContent('Look', [image, pdf], ['text', 'image', 'file'])).toEqual([
      { type: 'text', text: 'Look' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AQID' } },
      {
        type: 'file',
        file: { filename: 'paper.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQ=' },
      },
    ]);
  });

  it('refuses an image for a text-only model and a PDF for a model without file', () => {
    expect(code(() => userContent('x', [image], ['text']))).toBe(
      'ATTACHMENT_MODEL_UNSUPPORTED:cat.png',
    );
    expect(code(() => userContent('x', [pdf], ['text', 'image']))).toBe(
      'ATTACHMENT_MODEL_UNSUPPORTED:paper.pdf',
    );
    expect(code(() => checkModalities([text.ref], ['text']))).toBeUndefined();
  });

  it('earlier turns name what the model cannot read instead of failing', () => {
    expect(userContent('Before', [image], ['text'], false)).toBe(
      'Before\n\n[Image not shown to this model: cat.png]',
    );
  });

  it('text files are inlined as a fenced block named after the file, content kept whole', () => {
    const content = userContent('Summarize', [text], ['text']);
    expect(content).toBe('Summarize\n\n````notes.md\n# Notes\n```js\nx\n```\n````');
    expect(userContent('', [text, image], ['text', 'image'])).toEqual([
      { type: 'text', text: '````notes.md\n# Notes\n```js\nx\n```\n````' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AQID' } },
    ]);
  });

  it('fencedBlock: a fence longer than any run inside, no newline or backtick in the name', () => {
    expect(fencedBlock('a.txt', 'plain')).toBe('```a.txt\nplain\n```');
    expect(fencedBlock('we`ird\nname.py', '`````')).toBe('``````weirdname.py\n`````\n``````');
    expect(fencedBlock('bom.txt', '\uFEFFx\n')).toBe('```bom.txt\nx\n```');
  });
});
