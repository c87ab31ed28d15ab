/**
 * The crash-fuzz child: the real services (createAppServices, keyfile encryption as the harness
 * composes them) on one data dir, driven by JSON-line commands on stdin, reporting on stdout
 * (see protocol.ts). The parent SIGKILLs it at random moments and starts it again.
 *
 * `node --import tsx scripts/crash-fuzz/child.ts --data-dir <dir> --openrouter <emulator url>`
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createAppServices, type AppServices } from '../../main/app-services';
import { readConfig } from '../../main/config';
import { toErrorView } from '../../main/errors';
import { createKeyfilePort } from '../../main/credentials/keyfile-port';
import { createMemoryLogger } from '../../main/log';
import { acquireDataDirLock } from '../../main/storage/data-dir-lock';
import type { Acknowledged, Command, Report, Snapshot } from './protocol';

const MODEL = 'openai/gpt-4o-mini';
const started = performance.now();

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, openrouter: { type: 'string' } },
});
const { 'data-dir': dataDir, openrouter: emulator } = values;
if (dataDir === undefined || emulator === undefined) {
  throw new Error('--data-dir and --openrouter are required');
}
const dir: string = dataDir;

function report(line: Report): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const opened: string[] = [];
const notices: string[] = [];
/** Characters of each streaming answer sent so far. */
const streamed = new Map<string, number>();

let services: AppServices;
try {
  const lock = acquireDataDirLock(dataDir);
  process.on('exit', () => lock.release());
  services = createAppServices({
    config: readConfig({ LATCHKEY_OPENROUTER_URL: emulator, LATCHKEY_LOCALE: 'en' }),
    dataDir,
    fetch: (input, init) => fetch(input, init),
    encryption: createKeyfilePort(dataDir),
    openExternal: (url) => {
      opened.push(url);
      return Promise.resolve();
    },
    scheme: 'app.latchkey.dev',
    hostname: 'crash-fuzz',
    version: '0.0.0-crash-fuzz',
    systemLanguages: ['en-US'],
    deepLinks: { available: true },
    emit: (channel, payload) => {
      if (channel === 'chat:delta') {
        const delta = payload as { messageId: string; text: string };
        const chars = (streamed.get(delta.messageId) ?? 0) + delta.text.length;
        streamed.set(delta.messageId, chars);
        report({ t: 'delta', messageId: delta.messageId, chars });
      } else if (channel === 'chat:message') {
        const { conversationId, message } = payload as {
          conversationId: string;
          message: { id: string; status: string; content: string };
        };
        streamed.delete(message.id);
        report({
          t: 'done',
          conversationId,
          messageId: message.id,
          status: message.status,
          hash: sha256(message.content),
          length: message.content.length,
        });
      } else if (channel === 'app:notice') {
        notices.push((payload as { code: string }).code);
      }
    },
    log: createMemoryLogger(),
  });
  services.start();
} catch (error) {
  report({ t: 'start-failed', error: String((error as Error).stack ?? error) });
  process.exit(1);
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), relative) : [relative];
  });
}

async function keyHash(): Promise<string | null> {
  const credentials = services.auth.chatCredentials('openrouter');
  return credentials ? sha256(await credentials.token()) : null;
}

async function snapshot(): Promise<Snapshot> {
  const conversations = services.chat.list().conversations.map((summary) => {
    const conversation = services.chat.open(summary.id);
    return {
      id: conversation.id,
      title: conversation.title,
      messages: conversation.messages.map((m) => ({
        id: m.id,
        role: m.role,
        status: m.status,
        hash: sha256(m.content),
        length: m.content.length,
      })),
    };
  });
  return {
    signedIn: services.auth.state('openrouter').auth.status === 'signed-in',
    keyHash: await keyHash(),
    conversations,
    files: listFiles(dir),
    notices: [...notices],
  };
}

/** OpenRouter's consent page approved as the user's browser would; the callback URL. */
async function approve(authorizationUrl: string, emulatorUrl: string): Promise<string> {
  const page = await (await fetch(authorizationUrl)).text();
  const session = /name="session" value="([^"]+)"/.exec(page)?.[1];
  if (!session) throw new Error('no consent session on the page');
  const answer = await fetch(new URL('/auth/approve', emulatorUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ session }).toString(),
    redirect: 'manual',
  });
  return answer.headers.get('location') ?? '';
}

async function run(command: Command): Promise<Acknowledged> {
  const { chat, auth } = services;
  switch (command.op) {
    case 'sign-in': {
      await auth.signIn('openrouter', 'deep-link');
      const authorization = opened.at(-1);
      if (!authorization) throw new Error('the sign-in opened no page');
      await auth.handleCallbackUrl(await approve(authorization, command.emulatorUrl), 'os');
      const hash = await keyHash();
      if (!hash) throw new Error('not signed in after the callback');
      return { op: 'sign-in', keyHash: hash };
    }
    case 'create': {
      const conversation = chat.create('openrouter', MODEL);
      return { op: 'create', conversationId: conversation.id, title: conversation.title };
    }
    case 'send': {
      const result = await chat.send(command.conversationId, command.text, MODEL);
      return {
        op: 'send',
        title: result.conversation.title,
        userMessageId: result.userMessage?.id ?? '',
        assistantMessageId: result.assistantMessage.id,
      };
    }
    case 'rename':
      return { op: 'rename', title: chat.rename(command.conversationId, command.title).title };
    case 'delete':
      await chat.delete(command.conversationId);
      return { op: 'delete' };
  }
}

report({
  t: 'ready',
  startMs: Math.round(performance.now() - started),
  snapshot: await snapshot(),
});

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as Command;
  run(command).then(
    (result) => report({ t: 'ok', id: command.id, result }),
    (error: unknown) => report({ t: 'error', id: command.id, code: toErrorView(error).code }),
  );
});
// The parent going away (stdin closed) ends the child too.
process.stdin.on('end', () => process.exit(0));
