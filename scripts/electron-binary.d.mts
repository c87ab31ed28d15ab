export declare function electronPackageDir(): string | null;
export declare function findElectronBinary(
  env?: Record<string, string | undefined>,
  packageDir?: string | null,
): { path: string } | { path: null; reason: string };
