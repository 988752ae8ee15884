/**
 * Events become JSON here, when a batch is sent, never on the app's call.
 * Events carry values the app supplied (labels, handle ids, event names), and
 * one value JSON cannot carry must not cost the others: a BigInt (64-bit FFI
 * handle ids often are) becomes its decimal string, and a value whose
 * `toJSON` or getter throws, or that contains itself, becomes
 * `"[unserialisable: reason]"`. An event that still cannot be encoded (a
 * string beyond what the engine can build) is left out, for the caller to
 * report as a gap.
 */

/** One JSON text per event, undefined for an event that could not be encoded. */
export function encodeEvents(events: readonly object[]): Array<string | undefined> {
  return events.map(encodeEvent);
}

/** The events as one JSON array, when every one encodes as it is (the common case: one call, no copy). */
export function encodeAll(events: readonly object[]): string | undefined {
  try {
    return JSON.stringify(events);
  } catch {
    return undefined;
  }
}

function encodeEvent(event: object): string | undefined {
  try {
    return JSON.stringify(event);
  } catch (err) {
    // Too long for any string: no stand-in makes it shorter.
    if (err instanceof RangeError) return undefined;
    try {
      return JSON.stringify(readable(event, 0, new Set()));
    } catch {
      return undefined;
    }
  }
}

/** How deep a value is copied before the rest stands in as too deep. */
const MAX_DEPTH = 32;

/** A JSON-safe copy of `value`, with stand-ins for what JSON cannot carry. */
function readable(value: unknown, depth: number, path: Set<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (path.has(value)) return unserialisable('circular');
  if (depth >= MAX_DEPTH) return unserialisable('too deep');
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return readable(toJSON.call(value), depth + 1, path);
    path.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => readable(item, depth + 1, path));
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) copy[key] = readable((value as Record<string, unknown>)[key], depth + 1, path);
      return copy;
    } finally {
      path.delete(value);
    }
  } catch (err) {
    return unserialisable(reasonOf(err));
  }
}

function reasonOf(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'it threw';
  }
}

function unserialisable(reason: string): string {
  return `[unserialisable: ${reason}]`;
}
