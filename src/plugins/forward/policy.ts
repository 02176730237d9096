/** Upstream selection policies, as CoreDNS's plugin/forward/policy.go. */

/** Orders the upstreams for one query; the first is tried first. */
export interface Policy {
  readonly name: PolicyName;
  list<T>(items: readonly T[]): T[];
}

/** Names accepted by `policy`. */
export type PolicyName = 'random' | 'round_robin' | 'sequential';

/** Uniform random permutation (Fisher-Yates); selection order need not be unpredictable, so Math.random. */
export function randomPolicy(): Policy {
  return {
    name: 'random',
    list<T>(items: readonly T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

/**
 * Round robin as CoreDNS: a counter is bumped before use, so the first query starts at the second
 * upstream; the chosen one goes first, the others follow in configured order.
 */
export function roundRobinPolicy(): Policy {
  let robin = 0;
  return {
    name: 'round_robin',
    list<T>(items: readonly T[]): T[] {
      if (items.length === 0) return [];
      robin = (robin + 1) >>> 0;
      const i = robin % items.length;
      return [items[i]!, ...items.slice(0, i), ...items.slice(i + 1)];
    },
  };
}

/** Always the configured order. */
export function sequentialPolicy(): Policy {
  return { name: 'sequential', list: <T>(items: readonly T[]) => [...items] };
}

/** A policy by name, or undefined for an unknown name. */
export function policyByName(name: string): Policy | undefined {
  switch (name) {
    case 'random':
      return randomPolicy();
    case 'round_robin':
      return roundRobinPolicy();
    case 'sequential':
      return sequentialPolicy();
    default:
      return undefined;
  }
}
