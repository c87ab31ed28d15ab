import { mulberry32 } from '../../fixtures/seeded-random';
/**
 * Chat-stream fixtures: a recorded-shape OpenRouter SSE answer (comments, role chunk, content
 * with CJK and emoji, a finish chunk, the usage chunk, `[DONE]`) and helpers to replay bytes.
 */

const BASE = {
  id: 'gen-1747300000-Xq3lT2aVbN9sPz0KfE1m',
  provider: 'OpenAI',
  model: 'openai/gpt-4o-mini',
  object: 'chat.completion.chunk',
  created: 1747300000,
  system_fingerprint: 'fp_44added55e',
};

export function chunk(fields: Record<string, unknown>): string {
  return `data: ${JSON.stringify({ ...BASE, ...fields })}\n\n`;
}

export function contentChunk(content: string, finish: string | null = null): string {
  return chunk({
    choices: [
      {
        index: 0,
        delta: { role: 'assistant', content },
        finish_reason: finish,
        native_finish_reason: finish,
        logprobs: null,
      },
    ],
  });
}

export const RECORDED_USAGE = {
  prompt_tokens: 14,
  completion_tokens: 11,
  total_tokens: 25,
  cost: 0.00000875,
  is_byok: false,
  prompt_tokens_details: { cached_tokens: 0 },
  cost_details: { upstream_inference_cost: null },
  completion_tokens_details: { reasoning_tokens: 0 },
};

export const RECORDED_TEXT = 'Hello! 你好，世界 🎉👩‍💻 — café.\nLine two.';

/** As OpenRouter sends it: keep-alive comments, then chunks, then usage, then `[DONE]`. */
export const RECORDED_OPENROUTER_STREAM = [
  ': OPENROUTER PROCESSING\n\n',
  ': OPENROUTER PROCESSING\n\n',
  contentChunk(''),
  contentChunk('Hello! '),
  contentChunk('你好，世界 🎉'),
  contentChunk('👩‍💻 — café.'),
  contentChunk('\nLine two.'),
  contentChunk('', 'stop'),
  chunk({
    choices: [
      {
        index: 0,
        delta: { role: 'assistant', content: '' },
        finish_reason: null,
        native_finish_reason: null,
        logprobs: null,
      },
    ],
    usage: RECORDED_USAGE,
  }),
  'data: [DONE]\n\n',
].join('');

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A body that delivers exactly these parts, then ends (or fails with `error`). */
export function streamOf(
  parts: readonly (string | Uint8Array)[],
  end: { error?: unknown; onCancel?: (reason: unknown) => void } = {},
): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[i++];
      if (part === undefined) {
        if (end.error !== undefined) controller.error(end.error);
        else controller.close();
        return;
      }
      controller.enqueue(typeof part === 'string' ? encode(part) : part);
    },
    cancel(reason) {
      end.onCancel?.(reason);
    },
  });
}

/** `bytes` cut into pieces of `size` bytes. */
export function fragments(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** A deterministic PRNG for fuzz-style tests. */
export const prng = mulberry32;
