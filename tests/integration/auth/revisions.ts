import { expect } from 'vitest';
import type { ProviderState } from '../../../preload/api';

/**
 * The rule the renderer relies on to order states that arrive in any order: the revision grows
 * with every observable change, so two different states of one provider never carry the same
 * revision. Fails on the first pair that does.
 */
export function expectDistinctRevisions(states: readonly ProviderState[]): void {
  const seen = new Map<string, ProviderState>();
  for (const state of states) {
    const key = `${state.provider} revision ${state.revision}`;
    const first = seen.get(key);
    if (first) expect(state, key).toEqual(first);
    else seen.set(key, state);
  }
}
