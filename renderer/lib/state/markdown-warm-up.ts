/**
 * The first answer after launch paid for compiling marked's lexer and DOMPurify's paths: one
 * 60–75 ms task on its first frame of text here, where later answers have none. The markdown
 * module is warmed up instead in idle time once it has loaded, one kind of block per idle
 * callback (so no callback is a long task), unless an answer has used it by then.
 */
export const WARM_UP_SAMPLES: readonly string[] = [
  '# Heading\n\nSome **bold**, _italic_, `code`, a [link](https://example.com) and 日本語.\n',
  '- one\n- two\n\n1. first\n2. second\n',
  '```ts\nconst answer = 42;\n```\n',
  '| a | b |\n|---|---|\n| 1 | 2 |\n',
  '> A quote.\n\n---\n\nLast <b>words</b>.\n',
];

interface Stream {
  append(text: string): unknown;
  finish(): unknown;
}

/**
 * Runs each sample through a fresh stream, one per `schedule`d step, until all have run or
 * `used()` says an answer got there first.
 */
export function warmUp(
  create: () => Stream,
  schedule: (step: () => void) => void,
  used: () => boolean,
): void {
  let next = 0;
  const step = (): void => {
    const sample = WARM_UP_SAMPLES[next];
    if (sample === undefined || used()) return;
    next++;
    const stream = create();
    stream.append(sample);
    stream.finish();
    schedule(step);
  };
  schedule(step);
}
