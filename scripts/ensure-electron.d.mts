export interface RunResult {
  status: number | null;
  signal: string | null;
  error?: Error;
  /** The signal this process received (and passed on to the installer) while it ran. */
  stoppedBy?: string;
}
export type Run = (
  command: string,
  args: string[],
  options: { env: Record<string, string | undefined>; log: (line: string) => void },
) => Promise<RunResult>;

export declare function runInstaller(
  command: string,
  args: string[],
  options: {
    env: Record<string, string | undefined>;
    log: (line: string) => void;
    heartbeatMs?: number;
    heartbeat?: boolean;
  },
): Promise<RunResult>;

export declare function ensureElectron(options?: {
  env?: Record<string, string | undefined>;
  packageDir?: string | null;
  installScript?: string;
  run?: Run;
  log?: (line: string) => void;
}): Promise<{ path: string } | { path: null; message: string }>;
