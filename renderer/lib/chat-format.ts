import type { ConversationSummary, ModelInfo } from '../../preload/api';
import { i18n, t } from './i18n/index.svelte';

const formats = new Map<string, Intl.NumberFormat>();

function format(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${i18n.locale}|${JSON.stringify(options)}`;
  let known = formats.get(key);
  if (!known) {
    known = new Intl.NumberFormat(i18n.locale, options);
    formats.set(key, known);
  }
  return known;
}

/** "1,234". */
export function count(value: number): string {
  return format({ maximumFractionDigits: 0 }).format(value);
}

/** "128K", "1M": a context length. */
export function compact(value: number): string {
  return format({ notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/** The cost of one answer: small amounts keep their significant digits ("$0.00042"). */
export function cost(usd: number): string {
  if (usd === 0) return format({ style: 'currency', currency: 'USD' }).format(0);
  return format({
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumSignificantDigits: usd < 1 ? 2 : 4,
    roundingPriority: 'morePrecision',
  }).format(usd);
}

/** A per-token USD price as the price of a million tokens ("$2.50"). */
export function perMillion(perToken: number): string {
  return format({
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(perToken * 1_000_000);
}

/** "$2.50 / $10.00 per 1M tokens", or null when the provider gave no prices. */
export function modelPrice(model: ModelInfo): string | null {
  if (model.free || model.promptPrice === null || model.completionPrice === null) return null;
  return t('model.price', {
    input: perMillion(model.promptPrice),
    output: perMillion(model.completionPrice),
  });
}

/** The display name of a model id, falling back to the id itself. */
export function modelName(id: string | null, models: ReadonlyMap<string, ModelInfo>): string {
  if (id === null) return t('model.none');
  return models.get(id)?.name ?? id;
}

/** A conversation's title, or "New chat" while it has none. */
export function titleOf(conversation: ConversationSummary | null): string {
  const title = conversation?.title.trim() ?? '';
  return title === '' ? t('conversation.untitled') : title;
}

export type RecencyGroup = 'today' | 'yesterday' | 'week' | 'month' | 'older';

/** Which sidebar group a conversation updated at `at` falls in, seen from `now`. */
export function recencyGroup(at: number, now: number): RecencyGroup {
  const startOfToday = new Date(now).setHours(0, 0, 0, 0);
  const day = 86_400_000;
  if (at >= startOfToday) return 'today';
  if (at >= startOfToday - day) return 'yesterday';
  if (at >= startOfToday - 7 * day) return 'week';
  if (at >= startOfToday - 30 * day) return 'month';
  return 'older';
}
