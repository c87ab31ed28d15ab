/**
 * The first deep link after launch → the token exchange request received (performance.md:
 * p95 ≤ 20 ms), end to end through the browser harness, each run in a fresh process: the
 * harness starts, a sign-in starts through its IPC bridge, the consent is given on the
 * OpenRouter emulator (in this process) as a browser would, and the redirect is POSTed as the
 * OS deep link. Measured from that POST to the emulator receiving `POST /api/v1/auth/keys`
 * (its `http.server.request.start` diagnostics event, the same clock).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startOpenRouterEmulator } from '../tests/fixtures/openrouter-emulator';
import { startHarness } from './harness-session';
import { summarize, type Row } from './stats';

/** The time the browser step takes at the least (a person reads and clicks Approve). */
const BROWSER_STEP_MS = 2000;

/** The consent a browser would give: the page's session, Approve, and the redirect it sends. */
async function approve(authorizationUrl: string, emulatorUrl: string): Promise<string> {
  const page = await (await fetch(authorizationUrl)).text();
  const session = /name="session" value="([^"]+)"/.exec(page)?.[1];
  if (!session) throw new Error('no consent session');
  const approved = await fetch(new URL('/auth/approve', emulatorUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ session }).toString(),
    redirect: 'manual',
  });
  const location = approved.headers.get('location');
  if (!location) throw new Error('the consent page did not redirect');
  return location;
}

async function oneColdRun(emulatorUrl: string, arrivals: number[]): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-cold-'));
  // harness/server.ts without the stale-build check: the services run from source, and no page
  // (the only thing that needs out/) is loaded here.
  const started = await startHarness({
    dataDir,
    env: { LATCHKEY_OPENROUTER_URL: emulatorUrl },
  });
  const harness = { origin: new URL(started.url).origin, stop: started.stop };
  try {
    const ipc = await fetch(`${harness.origin}/__harness/ipc/auth:sign-in`, {
      method: 'POST',
      headers: { origin: harness.origin, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'openrouter', route: 'deep-link' }),
    });
    if (!ipc.ok) throw new Error(`auth:sign-in answered ${ipc.status}`);
    await ipc.text();
    const opened = (await (
      await fetch(`${harness.origin}/__harness/opened-urls`)
    ).json()) as string[];
    const authorizationUrl = opened.at(-1);
    if (!authorizationUrl) throw new Error('the app did not open the browser');
    const redirect = await approve(authorizationUrl, emulatorUrl);
    await new Promise((r) => setTimeout(r, BROWSER_STEP_MS));
    arrivals.length = 0;
    const posted = performance.now();
    const delivered = await fetch(`${harness.origin}/__harness/deep-link`, {
      method: 'POST',
      body: redirect,
    });
    await delivered.arrayBuffer();
    for (let i = 0; i < 200 && arrivals.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const arrived = arrivals[0];
    if (arrived === undefined) throw new Error('no exchange request reached the emulator');
    return arrived - posted;
  } finally {
    await harness.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchColdDeepLink(runs = 10): Promise<Row[]> {
  const emulator = await startOpenRouterEmulator();
  const arrivals: number[] = [];
  const onRequest = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    if (request.method === 'POST' && request.url === '/api/v1/auth/keys') {
      arrivals.push(performance.now());
    }
  };
  subscribe('http.server.request.start', onRequest);
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs; i++) samples.push(await oneColdRun(emulator.url, arrivals));
  } finally {
    unsubscribe('http.server.request.start', onRequest);
    await emulator.close();
  }
  return [
    summarize('first deep link after launch → exchange request (ms, cold process)', samples, {
      p95: 20,
    }),
  ];
}

if (process.argv[1] === import.meta.filename) {
  const { printTable } = await import('./stats');
  const runs = Number(process.argv[2] ?? 10);
  const rows = await benchColdDeepLink(runs);
  printTable(rows);
}
