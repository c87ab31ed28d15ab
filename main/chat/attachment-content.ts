import type { AttachmentRef } from '../../preload/api';
import { LatchkeyError } from '../errors';

/**
 * OpenAI-compatible content parts, as OpenRouter documents them
 * (https://openrouter.ai/docs/features/multimodal/overview): text, images as `image_url` with a
 * `data:` URL, PDFs as `file` with `file_data` as a `data:` URL.
 */
export type ContentPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image_url'; readonly image_url: { readonly url: string } }
  | {
      readonly type: 'file';
      readonly file: { readonly filename: string; readonly file_data: string };
    };

/** An attachment with its bytes, as {@link AttachmentStore.claim} returns it. */
export interface LoadedAttachment {
  readonly ref: AttachmentRef;
  readonly bytes: Uint8Array;
}

/** Which input modality a kind needs (`text` files are inlined, so every model reads them). */
function modalityOf(ref: AttachmentRef): string {
  switch (ref.kind) {
    case 'image':
      return 'image';
    case 'pdf':
      return 'file';
    case 'text':
      return 'text';
  }
}

/**
 * Refuses, before anything is sent, an attachment the model cannot read: an image for a model
 * without `image` in its input modalities, a PDF for one without `file`.
 * @throws LatchkeyError `ATTACHMENT_MODEL_UNSUPPORTED` with the file's name.
 */
export function checkModalities(
  refs: readonly AttachmentRef[],
  inputModalities: readonly string[],
): void {
  for (const ref of refs) {
    const needed = modalityOf(ref);
    if (needed !== 'text' && !inputModalities.includes(needed)) {
      throw new LatchkeyError('ATTACHMENT_MODEL_UNSUPPORTED', { file: ref.name });
    }
  }
}

/**
 * A text file as a fenced Markdown block whose info string is the file's name; the fence is
 * longer than any run of backticks inside, so the content cannot close it.
 */
export function fencedBlock(name: string, text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const body = text.replace(/^\uFEFF/, '');
  return `${fence}${name.replace(/[\r\n`]/g, '')}\n${body}${body.endsWith('\n') ? '' : '\n'}${fence}`;
}

/**
 * The `content` of a user message with attachments: a plain string when every attachment is
 * text (inlined after the message as fenced blocks), else parts — the text first, then one
 * `image_url` per image and one `file` per PDF. For earlier turns (`strict: false`) an image or
 * PDF the model cannot read becomes a line naming it, so changing to a text-only model keeps
 * the conversation usable; for the message being sent ({@link checkModalities} ran) it is an
 * error.
 */
export function userContent(
  text: string,
  attachments: readonly LoadedAttachment[],
  inputModalities: readonly string[],
  strict = true,
): string | ContentPart[] {
  if (strict)
    checkModalities(
      attachments.map((a) => a.ref),
      inputModalities,
    );
  const blocks: string[] = [];
  const media: ContentPart[] = [];
  const decoder = new TextDecoder();
  for (const { ref, bytes } of attachments) {
    if (ref.kind === 'text') {
      blocks.push(fencedBlock(ref.name, decoder.decode(bytes)));
      continue;
    }
    if (!inputModalities.includes(modalityOf(ref))) {
      blocks.push(
        `[${ref.kind === 'image' ? 'Image' : 'PDF'} not shown to this model: ${ref.name}]`,
      );
      continue;
    }
    const url = `data:${ref.mediaType};base64,${Buffer.from(bytes).toString('base64')}`;
    media.push(
      ref.kind === 'image'
        ? { type: 'image_url', image_url: { url } }
        : { type: 'file', file: { filename: ref.name, file_data: url } },
    );
  }
  const joined = [text, ...blocks].filter((part) => part.length > 0).join('\n\n');
  if (media.length === 0) return joined;
  return [...(joined.length > 0 ? [{ type: 'text' as const, text: joined }] : []), ...media];
}
