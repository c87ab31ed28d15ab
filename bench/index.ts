/** `npm run bench`: every benchmark, printed as a Markdown table against performance.md. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { benchAttachments } from './attachments.bench';
import { benchBundle } from './bundle.bench';
import { benchColdDeepLink } from './cold-deep-link.bench';
import { benchConversationAppend } from './conversation-append.bench';
import { benchConversationsScale } from './conversations-scale.bench';
import { benchIdle } from './idle.bench';
import { benchMarkdown } from './markdown.bench';
import { benchRendererFrames } from './renderer-frames.bench';
import { benchSearch } from './search.bench';
import { benchSignIn } from './sign-in.bench';
import { benchSse } from './sse.bench';
import { benchTokenRefresh } from './token-refresh.bench';
import { printTable } from './stats';

const root = resolve(import.meta.dirname, '..');
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'ignore' });
if (build.status !== 0) throw new Error('build failed');

const rows = [
  ...benchBundle(root),
  ...(await benchSse()),
  ...(await benchMarkdown()),
  ...(await benchRendererFrames()),
  ...(await benchSignIn()),
  ...(await benchColdDeepLink()),
  ...(await benchTokenRefresh()),
  ...(await benchSearch()),
  ...(await benchAttachments()),
  ...(await benchConversationsScale()),
  ...(await benchConversationAppend()),
  ...(await benchIdle()),
];
printTable(rows);
if (rows.some((r) => !r.ok)) process.exitCode = 1;
