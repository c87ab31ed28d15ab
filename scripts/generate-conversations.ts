/**
 * Writes N conversations into a data directory in the app's own on-disk format, for the scale
 * benchmarks and by hand (`--dir` can then be given to the harness as its data directory):
 *
 *   node --import tsx scripts/generate-conversations.ts --dir D --count 10000 [--messages M] [--seed S]
 *
 * Each conversation is written as a snapshot (`conversations/<uuid>.json`, version 1, as the
 * store's `create` writes one), then `ConversationStore.open` reads them and writes the index
 * itself, so the index is always the store's own. (Creating 10,000 through `create` would
 * rewrite the whole index 10,000 times: minutes instead of seconds.) Mixed English and Chinese
 * text; `--messages` is the average number of messages (default 4, between 1 and 2× that);
 * updates are spread over the last 90 days so every recency group is filled. Deterministic for
 * a seed. Fails if the store refuses any file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChatMessage } from '../preload/api';
import { ConversationStore } from '../main/chat/conversation-store';
import { mulberry32 as random } from '../tests/fixtures/seeded-random';

const EN = (
  'the of and to in is that for it with as on be this by are from at or an was have not but ' +
  'model answer question token stream cache index layout render frame memory budget search ' +
  'conversation sidebar message window keyboard focus scroll list table paragraph code review'
).split(' ');
const ZH = (
  '我们 的 是 在 这个 一个 对话 模型 回答 问题 搜索 内存 性能 列表 消息 窗口 键盘 滚动 ' +
  '代码 测试 文件 数据 时间 用户 设置 语言 翻译 学习 计划 旅行 天气 晚饭 周末 会议'
).split(' ');

export interface GenerateOptions {
  readonly dir: string;
  readonly count: number;
  /** Average messages per conversation. */
  readonly messages?: number;
  readonly seed?: number;
  /** The newest conversation's time (default now). */
  readonly now?: number;
}

/** Writes the conversations and the index; returns how many are listed. */
export function generateConversations(options: GenerateOptions): number {
  const rand = random(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  };
  const sentence = (words: number) => {
    const chinese = rand() < 0.35;
    const parts = Array.from({ length: words }, () => pick(chinese ? ZH : EN));
    return chinese ? `${parts.join('')}。` : `${parts.join(' ')}.`;
  };
  const text = (sentences: number) =>
    Array.from({ length: sentences }, () => sentence(4 + Math.floor(rand() * 14))).join(' ');

  const conversationsDir = path.join(options.dir, 'conversations');
  fs.mkdirSync(conversationsDir, { recursive: true, mode: 0o700 });
  const average = options.messages ?? 4;
  const now = options.now ?? Date.now();
  for (let index = 0; index < options.count; index++) {
    const id = uuid();
    // Spread over 90 days, denser towards now.
    const updatedAt = Math.floor(now - rand() ** 2 * 90 * 86_400_000);
    const count = Math.max(1, Math.round(rand() * 2 * average));
    const createdAt = updatedAt - count * 30_000;
    const messages: ChatMessage[] = [];
    for (let m = 0; m < count; m++) {
      const user = m % 2 === 0;
      messages.push({
        id: uuid(),
        revision: user ? 0 : 2,
        role: user ? 'user' : 'assistant',
        content: user ? text(1 + Math.floor(rand() * 2)) : text(2 + Math.floor(rand() * 10)),
        createdAt: createdAt + m * 30_000,
        status: 'complete',
        model: user ? null : 'openai/gpt-4o-mini',
        usage: null,
        finishReason: user ? null : 'stop',
        error: null,
      });
    }
    const title = sentence(3 + Math.floor(rand() * 4)).slice(0, 60);
    const file = {
      version: 1,
      id,
      provider: 'openrouter',
      title,
      createdAt,
      updatedAt,
      model: 'openai/gpt-4o-mini',
      messages,
      generation: 0,
    };
    fs.writeFileSync(path.join(conversationsDir, `${id}.json`), JSON.stringify(file), {
      mode: 0o600,
    });
  }
  // The store reads every conversation the index lacks and writes the index (its own format).
  const { store, problems } = ConversationStore.open({ dir: options.dir });
  if (problems.length > 0) {
    throw new Error(`the store refused ${problems.length} generated conversation(s)`);
  }
  return store.list().length;
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      count: { type: 'string', default: '10000' },
      messages: { type: 'string', default: '4' },
      seed: { type: 'string', default: '1' },
    },
  });
  if (!values.dir) throw new Error('--dir is required');
  const started = performance.now();
  const listed = generateConversations({
    dir: values.dir,
    count: Number(values.count),
    messages: Number(values.messages),
    seed: Number(values.seed),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${listed} conversations in ${values.dir} (${seconds} s)`);
}
