import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Runs a fixture standalone (`node --import tsx tests/fixtures/<file> ...args`), hands its first
 * line on stdout to `use`, then stops it with SIGTERM. Resolves, once it has exited, with its exit
 * code and what it wrote to stderr (which is passed through to this process's stderr too).
 */
export async function runStandaloneFixture(
  file: string,
  args: readonly string[],
  use: (line: string) => Promise<void>,
): Promise<{ code: number | null; stderr: string }> {
  const script = fileURLToPath(new URL(`../fixtures/${file}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk);
  });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    await use(line);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}
