export declare function findElectronBinary(
  env?: Record<string, string | undefined>,
): { path: string } | { path: null; reason: string };
