import {
  createConfContainer,
  type Container,
  type ContainerOptions,
} from '../../credentials/credential-store';
import type { FsPort } from '../../storage/fs-port';

/**
 * The container of `index.json`: read by `conf` as before (fresh from disk on every get, the
 * same corruption rules), written through the store's {@link FsPort} so a disk fault reaches the
 * index as it reaches the conversations. The port's atomic write is what conf does itself
 * (`atomically`, mode 0600).
 */
export function portContainer(options: ContainerOptions, port: FsPort): Container {
  const conf = createConfContainer(options);
  return {
    path: conf.path,
    get store() {
      return conf.store;
    },
    set store(value: Record<string, unknown>) {
      port.writeFileAtomic(conf.path, JSON.stringify(value, undefined, '\t'));
    },
  };
}
