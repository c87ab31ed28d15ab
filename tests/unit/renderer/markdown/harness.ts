import { MarkdownStream, renderMarkdownWith } from '../../../../renderer/lib/markdown/incremental';
import { emptyLinks, lexSection, renderToken } from '../../../../renderer/lib/markdown/render';

/**
 * A stand-in sanitizer that marks each block it is applied to, so comparing outputs also compares
 * how the text was cut into blocks (real sanitizing is tested in Chromium: browser.test.ts).
 */
export const mark = (html: string): string => `⟦${html}⟧`;

/** Block html after streaming `chunks` and finishing. */
export function streamed(chunks: readonly string[]): string[] {
  const stream = new MarkdownStream(mark);
  for (const chunk of chunks) stream.append(chunk);
  stream.finish();
  return stream.blocks.map((block) => block.html);
}

/** Block html of the one-shot render. */
export function oneShot(text: string): string[] {
  const stream = new MarkdownStream(mark);
  stream.append(text);
  stream.finish();
  return stream.blocks.map((block) => block.html);
}

/** marked's own reading of the whole text, rendered block by block, unsanitized. */
export function wholeDocument(text: string): string {
  const { tokens } = lexSection(text.replace(/\r\n?/g, '\n'), emptyLinks());
  let html = '';
  let id = 0;
  for (const token of tokens) {
    const rendered = renderToken(token, id);
    if (!rendered) continue;
    html += rendered.html;
    id++;
  }
  return html;
}

/** The one-shot render, unsanitized. */
export function oneShotUnsanitized(text: string): string {
  return renderMarkdownWith(text, (html) => html);
}
