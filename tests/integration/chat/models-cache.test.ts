import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../preload/api';
import { ModelsCache } from '../../../main/chat/models-cache';
import { LatchkeyError } from '../../../main/errors';

const POSIX = process.platform !== 'win32';
const NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

let tmp: string;
let dir: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-models-'));
  dir = path.join(tmp, 'data');
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const open = () => ModelsCache.open({ dir, now: () => NOW });
const modelsPath = () => path.join(dir, 'models.json');

const MODELS: ModelInfo[] = [
  {
    id: 'openai/gpt-4o-mini',
    name: 'OpenAI: GPT-4o-mini',
    contextLength: 128000,
    promptPrice: 0.00000015,
    completionPrice: 0.0000006,
    free: false,
    supportedParameters: ['temperature', 'max_tokens'],
    inputModalities: ['text'],
  },
  {
    id: 'meta-llama/llama-3.1-8b-instruct:free',
    name: 'Meta: Llama 3.1 8B Instruct (free)',
    contextLength: null,
    promptPrice: 0,
    completionPrice: 0,
    free: true,
    supportedParameters: [],
    inputModalities: ['text'],
  },
  {
    id: 'openrouter/auto',
    name: 'Auto Router',
    contextLength: 2000000,
    promptPrice: -1,
    completionPrice: -1,
    free: false,
    supportedParameters: ['temperature', 'max_tokens'],
    inputModalities: ['text'],
  },
];

function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LatchkeyError);
  expect((caught as LatchkeyError).code).toBe(code);
}

describe('ModelsCache', () => {
  it('starts empty', () => {
    const { cache, problems } = open();
    expect(problems).toEqual([]);
    expect(cache.read('openrouter')).toBeNull();
    expect(cache.defaultModel('openrouter')).toBeNull();
  });

  it('round-trips the list across a restart', () => {
    const { cache } = open();
    cache.write('openrouter', MODELS, NOW);
    expect(cache.read('openrouter')).toEqual({ models: MODELS, fetchedAt: NOW });

    const reopened = open().cache;
    expect(reopened.read('openrouter')).toEqual({ models: MODELS, fetchedAt: NOW });

    reopened.write('openrouter', MODELS.slice(0, 1), NOW + 1);
    expect(open().cache.read('openrouter')).toEqual({
      models: MODELS.slice(0, 1),
      fetchedAt: NOW + 1,
    });
  });

  it('hands out copies, not its own list', () => {
    const { cache } = open();
    const models = [...MODELS];
    cache.write('openrouter', models, NOW);
    models.pop();
    cache.read('openrouter')!.models.pop();
    expect(cache.read('openrouter')!.models).toHaveLength(MODELS.length);
  });

  it('persists the default model independently of the list', () => {
    const { cache } = open();
    cache.setDefaultModel('openrouter', 'openai/gpt-4o-mini');
    expect(open().cache.defaultModel('openrouter')).toBe('openai/gpt-4o-mini');
    expect(open().cache.read('openrouter')).toBeNull();

    const reopened = open().cache;
    reopened.write('openrouter', MODELS, NOW);
    expect(open().cache.defaultModel('openrouter')).toBe('openai/gpt-4o-mini');
    reopened.setDefaultModel('openrouter', 'openrouter/auto');
    const third = open().cache;
    expect(third.defaultModel('openrouter')).toBe('openrouter/auto');
    expect(third.read('openrouter')?.models).toEqual(MODELS);
  });

  it('refuses invalid input and keeps what it had', () => {
    const { cache } = open();
    cache.write('openrouter', MODELS, NOW);
    cache.setDefaultModel('openrouter', 'openai/gpt-4o-mini');
    const before = fs.readFileSync(modelsPath());
    expectCode(
      () => cache.write('openrouter', [{ ...MODELS[0]!, contextLength: 'big' as never }], NOW),
      'STORE_WRITE_FAILED',
    );
    expectCode(() => cache.write('openrouter', MODELS, Number.NaN), 'STORE_WRITE_FAILED');
    expectCode(() => cache.setDefaultModel('openrouter', ''), 'STORE_WRITE_FAILED');
    expect(fs.readFileSync(modelsPath())).toEqual(before);
    expect(cache.read('openrouter')).toEqual({ models: MODELS, fetchedAt: NOW });
    expect(cache.defaultModel('openrouter')).toBe('openai/gpt-4o-mini');
  });

  it('moves a corrupt file aside with its bytes, reports it and starts empty', () => {
    open().cache.write('openrouter', MODELS, NOW);
    const garbage = Buffer.from('{"version":1,"models":[{"id":');
    fs.writeFileSync(modelsPath(), garbage);

    const { cache, problems } = open();
    expect(problems).toHaveLength(1);
    const movedTo = problems[0]!.movedTo;
    expect(path.basename(movedTo)).toMatch(/^models\.corrupt-.*\.json$/);
    expect(fs.readFileSync(movedTo)).toEqual(garbage);
    expect(cache.read('openrouter')).toBeNull();
    cache.write('openrouter', MODELS, NOW);
    expect(open().problems).toEqual([]);
  });

  it('refuses a wrong shape but tolerates unknown extra fields', () => {
    open().cache.write('openrouter', MODELS, NOW);
    const file = JSON.parse(fs.readFileSync(modelsPath(), 'utf8'));
    file.etag = 'W/"abc"';
    file.providers.openrouter.models[0].architecture = { modality: 'text->text' };
    file.providers.someday = { fetchedAt: null, models: [], defaultModel: null };
    fs.writeFileSync(modelsPath(), JSON.stringify(file));
    const tolerant = open();
    expect(tolerant.problems).toEqual([]);
    expect(tolerant.cache.read('openrouter')?.models).toEqual(MODELS);

    file.providers.openrouter.models[0].free = 'yes';
    fs.writeFileSync(modelsPath(), JSON.stringify(file));
    const refused = open();
    expect(refused.problems).toHaveLength(1);
    expect(refused.cache.read('openrouter')).toBeNull();
  });

  it('keeps one list and one default model per provider', () => {
    const { cache } = open();
    const gateway: ModelInfo[] = [
      {
        id: 'gpt-4o',
        name: 'gpt-4o',
        contextLength: null,
        promptPrice: null,
        completionPrice: null,
        free: false,
        supportedParameters: [],
        inputModalities: ['text'],
      },
    ];
    cache.write('openrouter', MODELS, NOW);
    cache.write('oidc', gateway, NOW + 5);
    cache.setDefaultModel('oidc', 'gpt-4o');
    expect(cache.read('yooai')).toBeNull();
    expect(cache.defaultModel('openrouter')).toBeNull();

    const reopened = open().cache;
    expect(reopened.read('openrouter')).toEqual({ models: MODELS, fetchedAt: NOW });
    expect(reopened.read('oidc')).toEqual({ models: gateway, fetchedAt: NOW + 5 });
    expect(reopened.defaultModel('oidc')).toBe('gpt-4o');
    expect(reopened.defaultModel('openrouter')).toBeNull();

    reopened.write('openrouter', [], NOW + 9);
    expect(open().cache.read('oidc')).toEqual({ models: gateway, fetchedAt: NOW + 5 });
    expectCode(() => reopened.write('nope' as never, gateway, NOW), 'STORE_WRITE_FAILED');
    expect(reopened.read('__proto__' as never)).toBeNull();
  });

  it("loads a version-1 file (one provider) as OpenRouter's, and rewrites it as version 2", () => {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(
      modelsPath(),
      JSON.stringify({
        version: 1,
        fetchedAt: NOW,
        models: MODELS,
        defaultModel: 'openrouter/auto',
      }),
    );
    const { cache, problems } = open();
    expect(problems).toEqual([]);
    expect(cache.read('openrouter')).toEqual({ models: MODELS, fetchedAt: NOW });
    expect(cache.defaultModel('openrouter')).toBe('openrouter/auto');
    expect(cache.read('oidc')).toBeNull();
    expect(cache.defaultModel('oidc')).toBeNull();

    cache.setDefaultModel('oidc', 'gpt-4o');
    const file = JSON.parse(fs.readFileSync(modelsPath(), 'utf8'));
    expect(file).toMatchObject({
      version: 2,
      providers: {
        openrouter: { fetchedAt: NOW, defaultModel: 'openrouter/auto' },
        oidc: { fetchedAt: null, models: [], defaultModel: 'gpt-4o' },
      },
    });
    expect(open().cache.read('openrouter')?.models).toEqual(MODELS);
  });

  it('an unknown version is corrupt (moved aside), not misread', () => {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(modelsPath(), JSON.stringify({ version: 3, providers: {} }));
    const { cache, problems } = open();
    expect(problems).toHaveLength(1);
    expect(cache.read('openrouter')).toBeNull();
  });

  it.skipIf(!POSIX)('writes the file 0600 in a directory it creates 0700', () => {
    open().cache.write('openrouter', MODELS, NOW);
    expect(fs.statSync(modelsPath()).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });
});
