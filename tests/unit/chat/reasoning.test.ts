import { describe, expect, it } from 'vitest';
import { REASONING_LIMITS } from '../../../preload/api';
import {
  buildChatRequest,
  readChatStream,
  type ChatStreamEvent,
} from '../../../main/chat/openrouter-chat';
import { ReasoningDetailsAccumulator } from '../../../main/chat/reasoning-details';
import { chunk, collect, contentChunk, encode, fragments, streamOf } from './fixtures';

/** A chunk as a thinking model on OpenRouter streams it (Anthropic's shape, via OpenRouter). */
function reasoningChunk(reasoning: string | null, details: unknown[] | null, content = '') {
  return chunk({
    choices: [
      {
        index: 0,
        delta: {
          role: 'assistant',
          content,
          ...(reasoning !== null && { reasoning }),
          ...(details !== null && { reasoning_details: details }),
        },
        finish_reason: null,
      },
    ],
  });
}

const textDetail = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'reasoning.text',
  text,
  format: 'anthropic-claude-v1',
  index: 0,
  ...extra,
});

const USAGE = chunk({
  choices: [],
  usage: {
    prompt_tokens: 10,
    completion_tokens: 30,
    total_tokens: 40,
    cost: 0.0001,
    completion_tokens_details: { reasoning_tokens: 22 },
  },
});

const STREAM = [
  ': OPENROUTER PROCESSING\n\n',
  reasoningChunk('Let me ', [textDetail('Let me ')]),
  reasoningChunk('think **hard**.', [textDetail('think **hard**.', { signature: 'sig==' })]),
  reasoningChunk(null, [{ type: 'reasoning.encrypted', data: 'b64==', index: 1 }]),
  contentChunk('The answer'),
  contentChunk(' is 42.', 'stop'),
  USAGE,
  'data: [DONE]\n\n',
];

async function events(parts: readonly (string | Uint8Array)[]): Promise<ChatStreamEvent[]> {
  return collect(readChatStream(streamOf(parts)));
}

describe('readChatStream: reasoning', () => {
  it('yields reasoning apart from the answer, never inside it; usage carries reasoning tokens', async () => {
    const all = await events(STREAM);
    const answer = all.map((e) => (e.type === 'delta' ? e.text : '')).join('');
    const reasoning = all.map((e) => (e.type === 'reasoning' ? e.text : '')).join('');
    expect(answer).toBe('The answer is 42.');
    expect(reasoning).toBe('Let me think **hard**.');
    expect(all.filter((e) => e.type === 'reasoning')).toHaveLength(3);
    expect(all.find((e) => e.type === 'usage')).toMatchObject({
      usage: { completionTokens: 30, reasoningTokens: 22, cost: 0.0001 },
    });
  });

  it('the same events when the bytes arrive in 1–3 byte fragments', async () => {
    const whole = await events(STREAM);
    const bytes = encode(STREAM.join(''));
    const split = await events(fragments(bytes, 3));
    const joined = (list: ChatStreamEvent[]) =>
      JSON.stringify([
        list.map((e) => (e.type === 'delta' ? e.text : '')).join(''),
        list.map((e) => (e.type === 'reasoning' ? e.text : '')).join(''),
        list.flatMap((e) => (e.type === 'reasoning' ? e.details : [])),
      ]);
    expect(joined(split)).toBe(joined(whole));
  });

  it('a chunk with both reasoning and content yields the reasoning first', async () => {
    const all = await events([
      reasoningChunk('thought', null, 'said'),
      contentChunk('', 'stop'),
      'data: [DONE]\n\n',
    ]);
    expect(all.slice(0, 2)).toEqual([
      { type: 'reasoning', text: 'thought', details: [] },
      { type: 'delta', text: 'said' },
    ]);
  });

  it('malformed reasoning fields are ignored, the answer still streams', async () => {
    const all = await events([
      chunk({
        choices: [{ index: 0, delta: { content: 'ok', reasoning: 42, reasoning_details: 'x' } }],
      }),
      contentChunk('', 'stop'),
      'data: [DONE]\n\n',
    ]);
    expect(all.filter((e) => e.type === 'reasoning')).toEqual([]);
    expect(all[0]).toEqual({ type: 'delta', text: 'ok' });
  });

  it('usage without reasoning tokens has no reasoningTokens', async () => {
    const all = await events([
      contentChunk('x', 'stop'),
      chunk({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      'data: [DONE]\n\n',
    ]);
    const usage = all.find((e) => e.type === 'usage');
    expect(usage?.type === 'usage' && 'reasoningTokens' in usage.usage).toBe(false);
  });
});

describe('ReasoningDetailsAccumulator', () => {
  it('merges reasoning.text pieces by index, keeps the signature, keeps other entries as sent', () => {
    const acc = new ReasoningDetailsAccumulator();
    acc.add([textDetail('A'), { type: 'reasoning.summary', summary: 'S1', index: 2 }]);
    acc.add([textDetail('B', { id: 'r1' })]);
    acc.add([{ type: 'reasoning.summary', summary: 'S2', index: 2 }]);
    acc.add([{ type: 'reasoning.encrypted', data: 'e1', index: 3 }]);
    acc.add([{ type: 'reasoning.encrypted', data: 'e2', index: 3 }]);
    acc.add([textDetail('C', { signature: 'sig', text: 'C' }), 'junk', null, [1]]);
    acc.add([{ type: 'reasoning.text', text: 'other', index: 1 }]);
    expect(acc.result()).toEqual([
      {
        type: 'reasoning.text',
        text: 'ABC',
        format: 'anthropic-claude-v1',
        index: 0,
        id: 'r1',
        signature: 'sig',
      },
      { type: 'reasoning.summary', summary: 'S1S2', index: 2 },
      { type: 'reasoning.encrypted', data: 'e1', index: 3 },
      { type: 'reasoning.encrypted', data: 'e2', index: 3 },
      { type: 'reasoning.text', text: 'other', index: 1 },
    ]);
  });

  it('none → undefined; the result is a copy', () => {
    const acc = new ReasoningDetailsAccumulator();
    expect(acc.result()).toBeUndefined();
    acc.add([textDetail('x')]);
    const first = acc.result()!;
    (first[0] as { text: string }).text = 'changed';
    expect(acc.result()).toEqual([textDetail('x')]);
  });

  it('over the size or count cap: dropped whole, and stays dropped', () => {
    const big = new ReasoningDetailsAccumulator();
    big.add([textDetail('a'.repeat(REASONING_LIMITS.maxDetailsChars))]);
    expect(big.result()).toBeUndefined();
    big.add([textDetail('small')]);
    expect(big.result()).toBeUndefined();

    const many = new ReasoningDetailsAccumulator();
    many.add(
      Array.from({ length: REASONING_LIMITS.maxDetails + 1 }, (_, i) => ({
        type: 'reasoning.encrypted',
        data: 'x',
        index: i,
      })),
    );
    expect(many.result()).toBeUndefined();
  });
});

describe('buildChatRequest: reasoning_details go back with their assistant message', () => {
  it('only on assistant messages that have them; never reasoning text', () => {
    const details = [textDetail('thought', { signature: 's' })];
    const request = buildChatRequest(
      { baseUrl: new URL('https://openrouter.ai/api/v1'), attribution: true },
      'sk-or-v1-test',
      {
        model: 'anthropic/claude-sonnet-4',
        messages: [
          { role: 'user', content: 'q1', reasoning_details: details },
          { role: 'assistant', content: 'a1', reasoning_details: details },
          { role: 'assistant', content: 'a2', reasoning_details: [] },
          { role: 'user', content: 'q2' },
        ],
      },
    );
    const body = JSON.parse(String(request.init.body)) as { messages: unknown[] };
    expect(body.messages).toEqual([
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1', reasoning_details: details },
      { role: 'assistant', content: 'a2' },
      { role: 'user', content: 'q2' },
    ]);
  });
});

describe('usage: reasoning tokens', () => {
  it('0 reasoning tokens (a model that does not think) is left out', async () => {
    const all = await collect(
      readChatStream(
        streamOf([
          contentChunk('x', 'stop'),
          chunk({
            choices: [],
            usage: {
              prompt_tokens: 1,
              completion_tokens: 1,
              total_tokens: 2,
              completion_tokens_details: { reasoning_tokens: 0 },
            },
          }),
          'data: [DONE]\n\n',
        ]),
      ),
    );
    const usage = all.find((e) => e.type === 'usage');
    expect(usage?.type === 'usage' && 'reasoningTokens' in usage.usage).toBe(false);
  });
});
