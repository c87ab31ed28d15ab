/**
 * A deterministic history for the search benchmark: conversations of mixed English and Chinese
 * text, words drawn with a Zipf-like skew (as real text is) from generated vocabularies.
 */
import type { ChatMessage } from '../preload/api';

/** mulberry32: small, fast, and the same sequence on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON =
  'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part'.split(
    ' ',
  );
const SYLLABLES =
  'ka ri to mo na si lu ve pra con ter ion ing ed er ly ment ab ex tra sub com pro de re un in dis'.split(
    ' ',
  );

/** Index drawn with P(i) ∝ 1/(i+1): a few very common items, a long tail of rare ones. */
function zipf(rand: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(rand() * Math.log(n + 1))) - 1);
}

/** Vocabularies and a sentence maker, built once per seed. */
export function corpus(seed = 1): {
  english(rand: () => number, words: number): string;
  chinese(rand: () => number, chars: number): string;
} {
  const rand = random(seed);
  const english = [...COMMON];
  while (english.length < 30_000) {
    let word = '';
    const parts = 1 + Math.floor(rand() * 4);
    for (let i = 0; i < parts; i++) word += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    english.push(word);
  }
  // 3,500 Han characters (the size of the common-character list), words of 1–3 of them.
  const han = Array.from({ length: 3500 }, (_, i) => String.fromCodePoint(0x4e00 + i * 5));
  const chinese: string[] = [];
  while (chinese.length < 30_000) {
    const length = 1 + Math.floor(rand() * rand() * 3.5);
    let word = '';
    for (let i = 0; i < length; i++) word += han[zipf(rand, han.length)];
    chinese.push(word);
  }
  return {
    english(r, words) {
      const out: string[] = [];
      for (let i = 0; i < words; i++) {
        out.push(english[zipf(r, english.length)] ?? '');
        if (r() < 0.08) out[out.length - 1] += r() < 0.5 ? '.' : ',';
      }
      return out.join(' ');
    },
    chinese(r, chars) {
      let out = '';
      while (out.length < chars) {
        out += chinese[zipf(r, chinese.length)];
        if (r() < 0.06) out += r() < 0.5 ? '。' : '，';
      }
      return out;
    },
  };
}

/** One generated conversation, shaped as the store keeps it. */
export interface GeneratedConversation {
  readonly id: string;
  readonly title: string;
  readonly messages: readonly ChatMessage[];
}

function uuidOf(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/**
 * `count` conversations of about `bytesEach` UTF-8 bytes of message text each (half English,
 * half Chinese, mixed within messages too), deterministic for a seed.
 */
export function* conversations(
  count: number,
  bytesEach = 10_000,
  seed = 1,
): Generator<GeneratedConversation> {
  const text = corpus(seed);
  const rand = random(seed + 1);
  for (let c = 0; c < count; c++) {
    const chinese = rand() < 0.5;
    const messages: ChatMessage[] = [];
    let bytes = 0;
    let title = '';
    for (let m = 0; bytes < bytesEach; m++) {
      const user = m % 2 === 0;
      const target = user ? 80 + rand() * 300 : 600 + rand() * 2400;
      // English words average ~6 bytes with the space; Han characters are 3 bytes.
      let content = chinese
        ? text.chinese(rand, Math.round(target / 3))
        : text.english(rand, Math.round(target / 6));
      if (rand() < 0.2) {
        content += chinese ? ` ${text.english(rand, 20)}` : ` ${text.chinese(rand, 20)}`;
      }
      if (m === 0) title = Array.from(content).slice(0, 40).join('');
      bytes += Buffer.byteLength(content);
      messages.push({
        id: uuidOf(rand),
        revision: 1,
        role: user ? 'user' : 'assistant',
        content,
        createdAt: 1_700_000_000_000 + c * 1000 + m,
        status: 'complete',
        model: user ? null : 'openai/gpt-4o-mini',
        usage: null,
        finishReason: user ? null : 'stop',
        error: null,
      });
    }
    yield { id: uuidOf(rand), title, messages };
  }
}
