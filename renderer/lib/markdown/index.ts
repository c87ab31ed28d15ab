/**
 * Markdown for streamed model output: incremental, sanitized, highlighted lazily.
 * See `incremental.ts` for how blocks close and `sanitize.ts` for what survives sanitizing.
 */
export {
  IncrementalMarkdown,
  renderMarkdown,
  type IncrementalMarkdownOptions,
  type RenderedBlock,
} from './incremental';
export { sanitize } from './sanitize';
export { highlightCode, MAX_HIGHLIGHT_CHARS } from './highlight';
