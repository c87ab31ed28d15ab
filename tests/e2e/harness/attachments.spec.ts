import { deflateSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { tempDataDir } from '../support/harness';
import { useEmulatorAndHarness } from '../support/rig';
import { signInThroughBrowser } from '../support/sign-in';

const rig = useEmulatorAndHarness();

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const attachments = (page: Page) => page.getByRole('list', { name: 'Attachments' });
const yours = (page: Page) => page.getByRole('article', { name: 'Your message' });
/** Send is aria-disabled until the waiting files are prepared: a send before that is ignored. */
const readyToSend = (page: Page) =>
  expect(page.getByRole('button', { name: 'Send' })).not.toHaveAttribute('aria-disabled', 'true');

/** A real PNG, `width`×`height`, one colour (CRC-correct chunks, zlib data). */
function png(width: number, height: number): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = (table[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x5a)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function start(page: Page, context: Parameters<typeof signInThroughBrowser>[1]) {
  const harness = await rig.launch(tempDataDir());
  await page.goto(harness.url);
  await signInThroughBrowser(page, context, harness);
  await expect(page.getByRole('button', { name: /^Model:/ })).toContainText('GPT-4o-mini');
}

async function attach(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(files);
}

const chatBodies = () =>
  rig.emulator.requests
    .filter((r) => r.path === '/api/v1/chat/completions')
    .map((r) => JSON.parse(r.body) as { messages: { role: string; content: unknown }[] });

test('an image goes to a vision model as an image_url part; its thumbnail opens full size', async ({
  page,
  context,
}) => {
  await start(page, context);
  const image = png(64, 48);
  await attach(page, [{ name: 'chart.png', mimeType: 'image/png', buffer: image }]);
  const item = attachments(page).getByRole('listitem');
  await expect(item).toContainText('chart.png');
  await expect(attachments(page).getByRole('button', { name: 'Remove chart.png' })).toBeVisible();

  rig.emulator.scriptChat({ content: 'A flat grey picture.' });
  await composer(page).fill('What is in this picture?');
  await readyToSend(page);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('article', { name: 'Assistant message' })).toContainText(
    'A flat grey picture.',
  );
  await expect(attachments(page)).toHaveCount(0);

  const sent = chatBodies().at(-1)!.messages.at(-1)!;
  expect(sent.content).toEqual([
    { type: 'text', text: 'What is in this picture?' },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${image.toString('base64')}` } },
  ]);

  const thumb = yours(page).getByRole('img', { name: 'chart.png' });
  await expect(thumb).toBeVisible();
  expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
  await thumb.click();
  const viewer = page.getByRole('dialog', { name: 'chart.png' });
  await expect(viewer).toBeVisible();
  await expect(viewer.getByRole('img', { name: 'chart.png' })).toBeVisible();
  // Fitted to the window at first; "Actual size" is a toggle.
  const actual = viewer.getByRole('button', { name: 'Actual size' });
  await expect(actual).toHaveAttribute('aria-pressed', 'false');
  await actual.click();
  await expect(actual).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);
});

test('an image above 2048 px is downscaled in the page before it is sent', async ({
  page,
  context,
}) => {
  await start(page, context);
  await attach(page, [{ name: 'wide.png', mimeType: 'image/png', buffer: png(3000, 1000) }]);
  await expect(attachments(page).getByRole('button', { name: 'Remove wide.png' })).toBeVisible();
  await expect(attachments(page).getByRole('listitem')).not.toHaveAttribute('aria-busy', 'true');
  rig.emulator.scriptChat({ content: 'Wide.' });
  await composer(page).fill('How wide?');
  await readyToSend(page);
  await composer(page).press('Enter');
  await expect(page.getByRole('article', { name: 'Assistant message' })).toContainText('Wide.');
  const thumb = yours(page).getByRole('img', { name: 'wide.png' });
  await expect(thumb).toBeVisible();
  // Visible comes before decoded: the natural size is 0×0 until the image has loaded.
  await expect
    .poll(() => thumb.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]))
    .toEqual([2048, 683]);
});

test('a text file is inlined as a fenced block named after it', async ({ page, context }) => {
  await start(page, context);
  await attach(page, [
    { name: 'main.py', mimeType: 'text/x-python', buffer: Buffer.from('print("你好")\n') },
  ]);
  await expect(attachments(page).getByRole('button', { name: 'Remove main.py' })).toBeVisible();
  rig.emulator.scriptChat({ content: 'It prints a greeting.' });
  await composer(page).fill('Explain');
  await readyToSend(page);
  await composer(page).press('Enter');
  await expect(page.getByRole('article', { name: 'Assistant message' })).toContainText(
    'It prints a greeting.',
  );
  expect(chatBodies().at(-1)!.messages.at(-1)!.content).toBe(
    'Explain\n\n```main.py\nprint("你好")\n```',
  );
});

test('bad files: 25 MB, a fake .png, a PDF for a text-only model — a clear message, nothing sent, the text kept', async ({
  page,
  context,
}) => {
  await start(page, context);
  await composer(page).fill('Keep this text');

  await attach(page, [
    {
      name: 'huge.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(25 * 1024 * 1024),
    },
  ]);
  await expect(page.getByRole('alert')).toContainText('“huge.bin” is larger than 20 MB');
  await expect(attachments(page)).toHaveCount(0);
  await page.getByRole('button', { name: 'Dismiss' }).click();

  await attach(page, [
    { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('this is not an image') },
  ]);
  await expect(page.getByRole('alert')).toContainText(
    '“fake.png” is not the kind of file its name says it is.',
  );
  await expect(attachments(page)).toHaveCount(0);
  await page.getByRole('button', { name: 'Dismiss' }).click();

  await page.getByRole('button', { name: /^Model:/ }).click();
  await page.getByRole('combobox', { name: 'Search models' }).fill('Nemo');
  await page.getByRole('option', { name: /Mistral Nemo/ }).click();
  await expect(page.getByRole('button', { name: /^Model:/ })).toContainText('Mistral Nemo');
  await attach(page, [
    { name: 'paper.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n%%EOF\n') },
  ]);
  await expect(attachments(page).getByRole('button', { name: 'Remove paper.pdf' })).toBeVisible();
  await readyToSend(page);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('alert')).toContainText('This model can’t read “paper.pdf”.');
  await expect(composer(page)).toHaveValue('Keep this text');
  await expect(attachments(page).getByRole('listitem')).toContainText('paper.pdf');
  await expect(yours(page)).toHaveCount(0);
  expect(chatBodies()).toHaveLength(0);

  // The app keeps working: without the PDF the text goes.
  await attachments(page).getByRole('button', { name: 'Remove paper.pdf' }).click();
  rig.emulator.scriptChat({ content: 'Fine.' });
  await readyToSend(page);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('article', { name: 'Assistant message' })).toContainText('Fine.');
  expect(chatBodies().at(-1)!.messages.at(-1)!.content).toBe('Keep this text');
});
