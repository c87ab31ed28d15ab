/** One measured metric with its budget. */
export interface Row {
  readonly metric: string;
  readonly runs: number;
  readonly median: number;
  readonly p95: number;
  readonly budget: string;
  readonly ok: boolean;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/**
 * Median and p95 of the samples, checked against a p95 (or median) budget; `minMedian` is a
 * floor, for throughputs (higher is better).
 */
export function summarize(
  metric: string,
  samples: readonly number[],
  budget: { p95?: number; median?: number; minMedian?: number },
): Row {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  const ok =
    (budget.p95 === undefined || p95 <= budget.p95) &&
    (budget.median === undefined || median <= budget.median) &&
    (budget.minMedian === undefined || median >= budget.minMedian);
  const text = [
    budget.p95 !== undefined ? `p95 ≤ ${budget.p95}` : '',
    budget.median !== undefined ? `median ≤ ${budget.median}` : '',
    budget.minMedian !== undefined ? `median ≥ ${budget.minMedian}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return { metric, runs: samples.length, median, p95, budget: text, ok };
}

export function printTable(rows: readonly Row[]): void {
  const fmt = (n: number) => (n < 0.1 ? n.toFixed(4) : n < 10 ? n.toFixed(3) : n.toFixed(1));
  console.log('| metric | runs | median | p95 | budget | ok |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.metric} | ${r.runs} | ${fmt(r.median)} | ${fmt(r.p95)} | ${r.budget} | ${r.ok ? 'yes' : 'NO'} |`,
    );
  }
}
