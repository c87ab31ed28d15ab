import type { Persistence } from '../../preload/api';

/** True when the credential will be gone after quitting (kept for this session only). */
export function notSaved(persistence: Persistence): boolean {
  return persistence === 'session-only' || persistence === 'memory-only';
}
