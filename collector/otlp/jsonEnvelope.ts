import type { Attributes } from '../../store/types.js';
import type { RejectionLog } from './decodeResult.js';
import { attributesOf, field, isObject, JsonDecodeError, objectOf, RecordShapeError } from './jsonFields.js';
import type { Steps } from './slices.js';

/** The names of the three nested lists of one signal's export request, as [lowerCamelCase, snake_case]. */
export interface JsonLayout {
  resources: readonly [string, string];
  scopes: readonly [string, string];
  items: readonly [string, string];
}

/** What the envelope gives every item: its resource attributes and instrumentation scope. */
export interface ScopeContext {
  resource: Attributes;
  scopeName: string | null;
  scopeVersion: string | null;
}

/**
 * Handles one item (span, log record, metric), directly or by returning steps (for items that hold
 * many records). Throwing `RecordShapeError` from the call itself rejects the item as a whole,
 * counted as `weigh(item)` records; the steps count their own rejections and must not throw it.
 */
export type ItemVisitor = (item: unknown, ctx: ScopeContext) => Steps<void> | void;

/**
 * Walks an OTLP/JSON export request: resource → scope → item, calling `visit` per item and pausing
 * after each. A malformed envelope throws `JsonDecodeError` (answer 400); a malformed resource
 * rejects every item under it.
 */
export function* walkJsonRequest(
  doc: Record<string, unknown>,
  layout: JsonLayout,
  rej: RejectionLog,
  visit: ItemVisitor,
  weigh: (item: unknown) => number = () => 1,
): Steps<void> {
  const [resourcesName, scopesName, itemsName] = [layout.resources[0], layout.scopes[0], layout.items[0]];
  const resources = field(doc, ...layout.resources);
  if (resources === undefined || resources === null) return;
  if (!Array.isArray(resources)) throw new JsonDecodeError(`${resourcesName} must be an array`);
  for (const rs of resources) {
    if (!isObject(rs)) throw new JsonDecodeError(`${resourcesName}[] must hold objects`);
    const scopes = field(rs, ...layout.scopes);
    if (scopes === undefined || scopes === null) continue;
    if (!Array.isArray(scopes)) throw new JsonDecodeError(`${scopesName} must be an array`);
    let resource: Attributes;
    try {
      const res = rs.resource;
      resource = res === undefined || res === null ? {} : attributesOf(objectOf(res, 'resource').attributes);
    } catch (err) {
      if (!(err instanceof RecordShapeError)) throw err;
      // A bad resource poisons every item under it.
      for (const ss of scopes) {
        const items = isObject(ss) ? field(ss, ...layout.items) : undefined;
        if (Array.isArray(items)) for (const item of items) rej.add(err.message, weigh(item));
      }
      continue;
    }
    for (const ss of scopes) {
      if (!isObject(ss)) throw new JsonDecodeError(`${scopesName}[] must hold objects`);
      const items = field(ss, ...layout.items);
      if (items === undefined || items === null) continue;
      if (!Array.isArray(items)) throw new JsonDecodeError(`${itemsName} must be an array`);
      const scope = ss.scope;
      const ctx: ScopeContext = {
        resource,
        scopeName: isObject(scope) && typeof scope.name === 'string' && scope.name !== '' ? scope.name : null,
        scopeVersion: isObject(scope) && typeof scope.version === 'string' && scope.version !== '' ? scope.version : null,
      };
      for (const item of items) {
        let steps: Steps<void> | void = undefined;
        try {
          steps = visit(item, ctx);
        } catch (err) {
          if (!(err instanceof RecordShapeError)) throw err;
          rej.add(err.message, weigh(item));
        }
        if (steps !== undefined) yield* steps;
        yield;
      }
    }
  }
}
