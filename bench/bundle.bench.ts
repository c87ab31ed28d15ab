/**
 * Initial renderer JS: gzip size of the entry chunk and its static imports, from the Vite
 * manifest (performance.md: ≤ 80 KB gzip; the highlighter and its grammars are lazy).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Row } from './stats';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

export function benchBundle(root: string): Row[] {
  const dir = join(root, 'out', 'renderer');
  const manifest = JSON.parse(readFileSync(join(dir, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const initial = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || initial.has(chunk.file)) return;
    initial.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const gzipKb = (files: Iterable<string>) =>
    [...files].reduce((sum, f) => sum + gzipSync(readFileSync(join(dir, f))).length, 0) / 1024;
  const lazy = Object.values(manifest)
    .map((c) => c.file)
    .filter((f) => f.endsWith('.js') && !initial.has(f));
  const initialKb = gzipKb(initial);
  return [
    {
      metric: `initial renderer JS, gzip KB (${initial.size} chunk(s); ${lazy.length} lazy chunks = ${gzipKb(lazy).toFixed(1)} KB)`,
      runs: 1,
      median: initialKb,
      p95: initialKb,
      budget: '≤ 80',
      ok: initialKb <= 80,
    },
  ];
}
