/** Structured fields of a log line: codes and counts only, never a secret. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** The logger main uses. Lines carry event names and codes; secrets never reach it. */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
}

/** Writes one JSON line per event to a stream (stderr in the app and the harness). */
export function createStreamLogger(write: (line: string) => void): Logger {
  const line = (level: string, event: string, fields: LogFields = {}) =>
    write(`${JSON.stringify({ t: new Date().toISOString(), level, event, ...fields })}\n`);
  return {
    info: (event, fields) => line('info', event, fields),
    warn: (event, fields) => line('warn', event, fields),
  };
}

/** A logger that remembers lines in memory (tests search them for canary secrets). */
export function createMemoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, ...createStreamLogger((l) => lines.push(l)) };
}
