import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventContract } from '../../../preload/api';
import { AttachmentStore } from '../../../main/chat/attachment-store';
import { ChatService } from '../../../main/chat/chat-service';
import { ConversationStore } from '../../../main/chat/conversation-store';
import { ModelsCache } from '../../../main/chat/models-cache';
import { LatchkeyError } from '../../../main/errors';
import { createMemoryLogger } from '../../../main/log';
import { obtainKey } from '../../fixtures/obtain-key';
import {
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';

const VISION = 'openai/gpt-4o-mini'; // text, image, file
const IMAGES_ONLY = 'openai/gpt-4o'; // text, image
const TEXT_ONLY = 'mistralai/mistral-nemo';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');

let emulator: OpenRouterEmulator;
let chat: ChatService;
let dir: string;
let finished: EventContract['chat:message'][];

beforeEach(async () => {
  emulator = await startOpenRouterEmulator();
  dir = mkdtempSync(join(tmpdir(), 'latchkey-attachments-'));
  const key = await obtainKey(emulator.url);
  finished = [];
  chat = new ChatService({
    target: () => ({
      baseUrl: new URL(`${emulator.url}/api/v1`),
      attribution: true,
      token: async () => key,
      unauthorized: async () => null,
    }),
    fetch: (input, init) => fetch(input, init),
    store: ConversationStore.open({ dir }).store,
    models: ModelsCache.open({ dir }).cache,
    attachments: AttachmentStore.open({ dir }),
    emit: (channel, payload) => {
      if (channel === 'chat:message') finished.push(payload as EventContract['chat:message']);
    },
    log: createMemoryLogger(),
  });
  await chat.listModels('openrouter', true);
});
afterEach(async () => {
  chat.dispose();
  await emulator.close();
});

const chatRequests = () => emulator.requests.filter((r) => r.path === '/api/v1/chat/completions');
const lastBody = () =>
  JSON.parse(chatRequests().at(-1)!.body) as {
    messages: { role: string; content: unknown }[];
  };
const upload = (name: string, bytes: Buffer) => ({ name, bytes: new Uint8Array(bytes) });

async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof LatchkeyError) return `${error.code}:${error.details.file ?? ''}`;
    throw error;
  }
  throw new Error('not refused');
}

describe('attachments through the chat service and the emulator', () => {
  it('an edited message keeps its files: they are sent again with the new text and stay on it', async () => {
    const c = chat.create('openrouter', VISION);
    const image = chat.attach(upload('dot.png', PNG));
    const first = await chat.send(c.id, 'What is this?', VISION, [image]);
    await vi.waitFor(() => expect(finished.length).toBe(1));
    const edited = await chat.edit(c.id, first.userMessage!.id, 'Describe it in one word', VISION);
    expect(edited.userMessage?.attachments?.map((a) => a.id)).toEqual([image.id]);
    expect(lastBody().messages.at(-1)!.content).toEqual([
      { type: 'text', text: 'Describe it in one word' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } },
    ]);
    await vi.waitFor(() => expect(finished.length).toBe(2));
    expect(chat.attachmentData(c.id, image.id).mediaType).toBe('image/png');

    // A model that cannot read the image refuses the edit; nothing stored changes.
    const before = readFileSync(join(dir, 'conversations', `${c.id}.json`), 'utf8');
    expect(await refusal(() => chat.edit(c.id, edited.userMessage!.id, 'Again', TEXT_ONLY))).toBe(
      'ATTACHMENT_MODEL_UNSUPPORTED:dot.png',
    );
    expect(readFileSync(join(dir, 'conversations', `${c.id}.json`), 'utf8')).toBe(before);
  });

  it('sends an image as an image_url part and a PDF as a file part; keeps refs, not bytes, in the JSON', async () => {
    const c = chat.create('openrouter', VISION);
    const image = chat.attach(upload('dot.png', PNG));
    const pdf = chat.attach(upload('paper.pdf', PDF));
    const result = await chat.send(c.id, 'What is this?', VISION, [image, pdf]);
    expect(result.userMessage?.attachments?.map((a) => a.kind)).toEqual(['image', 'pdf']);
    const content = lastBody().messages.at(-1)!.content;
    expect(content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } },
      {
        type: 'file',
        file: {
          filename: 'paper.pdf',
          file_data: `data:application/pdf;base64,${PDF.toString('base64')}`,
        },
      },
    ]);
    await vi.waitFor(() => expect(finished.length).toBe(1));
    // The snapshot and its log: references only, never the bytes.
    const json = ['json', 'log']
      .map((ext) => readFileSync(join(dir, 'conversations', `${c.id}.${ext}`), 'utf8'))
      .join('\n');
    expect(json).toContain(image.id);
    expect(json).not.toContain(PNG.toString('base64'));
    expect(readdirSync(join(dir, 'conversations', 'attachments', c.id)).sort()).toEqual(
      [image.id, pdf.id].sort(),
    );
    const data = chat.attachmentData(c.id, image.id);
    expect(data.mediaType).toBe('image/png');
    expect(Buffer.from(data.bytes).equals(PNG)).toBe(true);

    // The next turn sends the image again with the history; deleting removes the files.
    await chat.send(c.id, 'And now?', VISION);
    const history = lastBody().messages;
    expect(JSON.stringify(history[0])).toContain('image_url');
    await vi.waitFor(() => expect(finished.length).toBe(2));
    await chat.delete(c.id);
    expect(existsSync(join(dir, 'conversations', 'attachments', c.id))).toBe(false);
  });

  it('refuses a PDF for a model without file, an image for a text-only model: nothing sent or stored', async () => {
    const c = chat.create('openrouter', TEXT_ONLY);
    const pdf = chat.attach(upload('paper.pdf', PDF));
    const image = chat.attach(upload('dot.png', PNG));
    const before = chatRequests().length;
    expect(await refusal(() => chat.send(c.id, 'Read this', TEXT_ONLY, [pdf]))).toBe(
      'ATTACHMENT_MODEL_UNSUPPORTED:paper.pdf',
    );
    expect(await refusal(() => chat.send(c.id, 'Read this', IMAGES_ONLY, [image, pdf]))).toBe(
      'ATTACHMENT_MODEL_UNSUPPORTED:paper.pdf',
    );
    expect(await refusal(() => chat.send(c.id, 'See', TEXT_ONLY, [image]))).toBe(
      'ATTACHMENT_MODEL_UNSUPPORTED:dot.png',
    );
    expect(chatRequests().length).toBe(before);
    expect(chat.open(c.id).messages).toEqual([]);
    expect(existsSync(join(dir, 'conversations', 'attachments', c.id))).toBe(false);
  });

  it('inlines a text file as a fenced block named after it, for any model', async () => {
    const c = chat.create('openrouter', TEXT_ONLY);
    const file = chat.attach(upload('main.py', Buffer.from('print("hi")\n')));
    await chat.send(c.id, 'Explain', TEXT_ONLY, [file]);
    expect(lastBody().messages.at(-1)!.content).toBe('Explain\n\n```main.py\nprint("hi")\n```');
    await vi.waitFor(() => expect(finished.length).toBe(1));
  });

  it('refuses a fake .png at attach time', () => {
    expect(() => chat.attach(upload('fake.png', Buffer.from('hello')))).toThrow(
      'ATTACHMENT_TYPE_MISMATCH',
    );
  });
});
