import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSaveFile } from '../../../main/chat/save-file';

describe('saving an export', () => {
  it('writes the whole file where the user chose, replacing one that was there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-save-'));
    const target = join(dir, 'Chosen name.md');
    writeFileSync(target, 'old contents');
    const asked: string[] = [];
    const save = createSaveFile({
      choosePath: (name) => {
        asked.push(name);
        return Promise.resolve(target);
      },
    });
    await expect(save('Suggested.md', '# 你好\n')).resolves.toEqual({ filename: 'Chosen name.md' });
    expect(asked).toEqual(['Suggested.md']);
    expect(readFileSync(target, 'utf8')).toBe('# 你好\n');
    expect(readdirSync(dir)).toEqual(['Chosen name.md']);
  });

  it('a cancelled dialog writes nothing and is no error', async () => {
    let writes = 0;
    const save = createSaveFile({
      choosePath: () => Promise.resolve(null),
      write: () => {
        writes += 1;
        return Promise.resolve();
      },
    });
    await expect(save('a.md', 'x')).resolves.toBeNull();
    expect(writes).toBe(0);
  });

  it('a failed write is EXPORT_WRITE_FAILED, the path only in its cause', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-save-'));
    // A file where a folder should be: no write can succeed under it.
    writeFileSync(join(dir, 'not-a-folder'), '');
    const save = createSaveFile({
      choosePath: () => Promise.resolve(join(dir, 'not-a-folder', 'a.md')),
    });
    const error = await save('a.md', 'x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EXPORT_WRITE_FAILED', message: 'EXPORT_WRITE_FAILED' });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});
