import path from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles child.ts and everything it imports into one ES module, once per fuzz run: the child
 * then starts in about a quarter of the time it takes under tsx (which compiles each of the
 * services' files again in every new process), and restarts are most of the fuzz's time.
 */
export async function bundleChild(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'crash-fuzz-child.mjs');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // CommonJS dependencies bundled into an ES module still call `require` for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return outfile;
}
