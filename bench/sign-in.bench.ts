/**
 * Sign-in budgets of performance.md, measured in one process with Node's clock:
 * - PKCE generation (verifier + S256 challenge) ≤ 0.2 ms
 * - deep link delivered → exchange request received by the server, p95 ≤ 5 ms
 * - key received → "signed in" state emitted, p95 ≤ 16 ms (persistence off that path)
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testRegistry } from '../tests/fixtures/test-registry';
import { AuthService } from '../main/auth/auth-service';
import { computeCodeChallenge, generateCodeVerifier } from '../main/auth/pkce';
import { CredentialStore } from '../main/credentials/credential-store';
import { createKeyfilePort } from '../main/credentials/keyfile-port';
import { createMemoryLogger } from '../main/log';
import { summarize, type Row } from './stats';

export async function benchSignIn(): Promise<Row[]> {
  const pkce: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const start = performance.now();
    computeCodeChallenge(generateCodeVerifier());
    pkce.push(performance.now() - start);
  }

  let received = 0;
  const server = createServer((req, res) => {
    received = performance.now();
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' });
      res.end(JSON.stringify({ key: `sk-or-v1-${'a'.repeat(64)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);

  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  const { store } = CredentialStore.open({ dir, encryption: createKeyfilePort(dir) });
  let opened = '';
  let responded = 0;
  let signedInAt = 0;
  const service = new AuthService({
    registry: testRegistry({ LATCHKEY_OPENROUTER_URL: base.href }, 'app.latchkey.dev', 'bench'),
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      responded = performance.now();
      return response;
    },
    store,
    storagePolicy: 'secure',
    openExternal: async (url) => {
      opened = url;
    },
    scheme: 'app.latchkey.dev',
    keyLabel: 'bench',
    emit: (state) => {
      if (state.auth.status === 'signed-in' && signedInAt === 0) signedInAt = performance.now();
    },
    notify: () => undefined,
    log: createMemoryLogger(),
  });

  const toRequest: number[] = [];
  const toSignedIn: number[] = [];
  for (let i = 0; i < 300; i++) {
    service.signOut('openrouter');
    await service.signIn('openrouter', 'deep-link');
    const callback = new URL(opened).searchParams.get('callback_url');
    signedInAt = 0;
    const delivered = performance.now();
    await service.handleCallbackUrl(`${callback}?code=bench-code-${i}`, 'os');
    toRequest.push(received - delivered);
    toSignedIn.push(signedInAt - responded);
    await new Promise((resolve) => setImmediate(resolve));
  }
  service.dispose();
  server.close();

  return [
    summarize('PKCE generation (ms)', pkce, { p95: 0.2 }),
    summarize('deep link → exchange request received (ms)', toRequest.slice(20), { p95: 5 }),
    summarize('key received → signed-in state (ms)', toSignedIn.slice(20), { p95: 16 }),
  ];
}
