/**
 * One raw message (Kafka value or NDJSON line) → a validated event ready for staging, or a precise
 * rejection. Adds to decodeEvent what only the ingest path needs: tombstones (null values), the text
 * and canonical JSON that DuckDB will read, and the one thing DuckDB's JSON reader refuses that
 * JSON.parse accepts — an unpaired UTF-16 surrogate escape such as "\ud800".
 */
import { decodeEvent, type EventRejection } from '../domain/events/decode-event.ts';
import type { RetourEvent } from '../domain/events/event-schemas.ts';

export type DecodedMessage =
  | { ok: true; event: RetourEvent; text: string; canonical: string | null }
  | { ok: false; rejection: EventRejection };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** JSON path of the first string (or key) holding an unpaired surrogate, or undefined. */
function findLoneSurrogate(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findLoneSurrogate(value[index], `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
    if (LONE_SURROGATE.test(key)) return childPath;
    const found = findLoneSurrogate(child, childPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * @example
 * const decoded = decodeRawMessage(kafkaMessage.value, 65536);
 * if (!decoded.ok) console.log(decoded.rejection.code, decoded.rejection.path);
 */
export function decodeRawMessage(value: Uint8Array | string | null, maxBytes: number): DecodedMessage {
  if (value === null) {
    return { ok: false, rejection: { code: 'RETOUR_EVENT_NOT_JSON', path: '$', message: '$: message has no value (null, e.g. a Kafka tombstone)' } };
  }
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    if (value.byteLength > maxBytes) return rejected(decodeEvent(value, { maxBytes }));
    try {
      text = utf8.decode(value);
    } catch {
      return rejected(decodeEvent(value, { maxBytes }));
    }
  }
  const result = decodeEvent(text, { maxBytes });
  if (!result.ok) return { ok: false, rejection: result.rejection };
  const canonical = JSON.stringify(result.event);
  // JSON.stringify writes a lone surrogate as an escape (\udXXX); paired ones stay literal characters.
  if (canonical.includes('\\ud')) {
    const path = findLoneSurrogate(result.event, '$');
    if (path !== undefined) {
      return {
        ok: false,
        rejection: {
          code: 'RETOUR_EVENT_NOT_JSON',
          path,
          message: `${path}: text holds an unpaired UTF-16 surrogate, which is not valid Unicode`,
          eventId: result.event.id,
          eventType: result.event.type,
        },
      };
    }
  }
  return { ok: true, event: result.event, text, canonical: canonical === text ? null : canonical };
}

function rejected(result: ReturnType<typeof decodeEvent>): DecodedMessage {
  if (result.ok) throw new Error('decodeEvent accepted a message that is oversize or not UTF-8'); // cannot happen: both checks run first
  return { ok: false, rejection: result.rejection };
}
