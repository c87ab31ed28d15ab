/**
 * Markdown for streamed model output: incremental, sanitized, highlighted lazily, with TeX math.
 * See `incremental.ts` for how blocks close and `sanitize.ts` for what survives sanitizing.
 */
/// <reference types="vite/client" />
// KaTeX's stylesheet (its fonts are files beside it, served from the app's own origin): imported
// here, by the module the app loads lazily, so Vite loads it with that chunk; the modules below
// stay importable from plain Node (benchmarks).
import 'katex/dist/katex.min.css';
export {
  IncrementalMarkdown,
  renderMarkdown,
  type BlockParts,
  type IncrementalMarkdownOptions,
  type RenderedBlock,
} from './incremental';
export { sanitize } from './sanitize';
export { highlightCode, MAX_HIGHLIGHT_CHARS } from './highlight';
