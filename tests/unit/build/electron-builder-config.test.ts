import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown>;

describe('electron-builder.yml', () => {
  it('validates against the schema shipped with electron-builder', () => {
    const schema = JSON.parse(
      readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const valid = ajv.validate(schema, config);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('names the product and registers the production scheme (product.md)', () => {
    expect(config['appId']).toBe('app.latchkey.desktop');
    expect(config['productName']).toBe('Latchkey');
    expect(config['protocols']).toEqual([expect.objectContaining({ schemes: ['app.latchkey'] })]);
  });

  it('flips the release fuses (security.md 22)', () => {
    expect(config['electronFuses']).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('ships the build output and never the harness', () => {
    expect(config['files']).toEqual(expect.arrayContaining(['out/main/**', '!out/harness/**']));
  });
});
