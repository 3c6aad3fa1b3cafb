// Which metadata contexts a LIST_META_CONTEXT or SET_META_CONTEXT query names. vstor has
// one, base:allocation (holes and zeroes), the only context the spec itself defines. The
// spec's rules: LIST with no query lists every context, and a query that is just a
// namespace ("base:") lists every context in it; SET selects exactly the contexts named,
// and selecting none is not an error. A query for a namespace we do not know selects
// nothing: that is an empty answer (just NBD_REP_ACK), not an error.
import { BASE_ALLOCATION } from './constants.ts';

export const SERVED_META_CONTEXTS: readonly string[] = [BASE_ALLOCATION];

export function matchMetaContexts(kind: 'list-meta-context' | 'set-meta-context', queries: readonly string[]): string[] {
  if (kind === 'list-meta-context' && queries.length === 0) return [...SERVED_META_CONTEXTS];
  const matched = new Set<string>();
  for (const query of queries) {
    for (const context of SERVED_META_CONTEXTS) {
      const namespaceOnly = query.endsWith(':') && context.startsWith(query);
      if (query === context || (kind === 'list-meta-context' && namespaceOnly)) matched.add(context);
    }
  }
  return [...matched];
}
