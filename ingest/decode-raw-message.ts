/**
 * One raw message (Kafka value or NDJSON line) → a validated event ready for staging, or a precise
 * rejection. Adds to decodeEvent what only the ingest path needs: tombstones (null values), the text
 * that DuckDB will read (or the canonical JSON when DuckDB could read the text differently), and the
 * one thing DuckDB's JSON reader refuses that JSON.parse accepts — an unpaired UTF-16 surrogate
 * escape such as "\ud800".
 *
 * The result keeps only what the batch's decisions need (id, type, the order id and money of orders
 * and refunds), not the parsed object: a micro-batch holds up to ~10^5 decoded messages while DuckDB
 * writes the previous one, and retaining their object trees was most of the heap and of the garbage
 * collector's time (docs/ingest.md § Speed). The rare id-collision path parses the text again.
 */
import { decodeEvent, type EventRejection } from '../domain/events/decode-event.ts';
import { EVENT_TYPES, type EventType, type RetourEvent } from '../domain/events/event-schemas.ts';

export interface DecodedEvent {
  readonly ok: true;
  readonly id: string;
  readonly type: EventType;
  /**
   * What `events.payload` stores: the message bytes as received (the consumer's view of its fetch
   * buffer, not a copy), or the text when the message came as text or began with a byte order mark
   * (which the UTF-8 decoding drops). Not the decoded string: a batch's decoded messages live until
   * it is written, and ~500-byte strings held that long were most of what each scavenge of the
   * young generation had to copy (the event-loop stalls of `retour serve`).
   */
  readonly payload: Uint8Array | string;
  /** Canonical JSON of the validated event when DuckDB could read `text` differently, else null. */
  readonly canonical: string | null;
  /** `data.orderId` of order.placed and refund.issued (the reference check), else undefined. */
  readonly orderId: string | undefined;
  /** order.placed: Σ unitPrice × quantity of its lines; refund.issued: amount; else 0. */
  readonly amount: number;
  /** `data.currency` of order.placed and refund.issued, else undefined. */
  readonly currency: string | undefined;
}

export type DecodedMessage = DecodedEvent | { readonly ok: false; readonly rejection: EventRejection };

/** The quarantine reason of a message without value (its `raw` is stored empty, as the column allows no NULL). */
export const TOMBSTONE_REASON = '$: message has no value (null, e.g. a Kafka tombstone)';

const utf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * One string per event type: the type JSON.parse made is a new string per message, and a decoded
 * message is kept until its batch is written (every young-generation GC in between copies it).
 */
const SHARED_TYPE_NAMES = new Map<string, EventType>(EVENT_TYPES.map((type) => [type, type]));
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** A quote followed by white space: keys spelt `"key" : value` (they take the careful path). */
const QUOTE_SPACE = /"\s/;

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

/** Number of object keys in a parsed JSON value, nested ones included. */
function countKeys(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) count += countKeys(value[index]);
    return count;
  }
  for (const key in value) count += 1 + countKeys((value as Record<string, unknown>)[key]);
  return count;
}

/**
 * True when DuckDB's JSON reader is sure to see the same values as JSON.parse in `text`:
 * - no duplicate keys (DuckDB keeps the first, JSON.parse the last). When no quote is followed by
 *   white space, every key of the text ends with `":`, so when the text has no more `":` than the
 *   parsed object has keys, no key was repeated; extra ones (a `":` inside a string) and spaced
 *   keys only send the event to the careful path;
 * - no `\u` escape (the only way a byte-valid text carries an unpaired surrogate) and, for text
 *   given as a JavaScript string, no unpaired surrogate character.
 * Number spellings (2.0, 1e2) need no care: the contract bounds every number far below 2^53 and
 * DuckDB reads them to the same integers.
 */
function readsTheSame(text: string, event: unknown, fromString: boolean): boolean {
  if (text.includes('\\u')) return false;
  if (fromString && LONE_SURROGATE.test(text)) return false;
  if (QUOTE_SPACE.test(text)) return false;
  let matches = 0;
  for (let at = text.indexOf('":'); at !== -1; at = text.indexOf('":', at + 2)) matches++;
  return matches === countKeys(event);
}

/**
 * @example
 * const decoded = decodeRawMessage(kafkaMessage.value, 65536);
 * if (!decoded.ok) console.log(decoded.rejection.code, decoded.rejection.path);
 */
export function decodeRawMessage(value: Uint8Array | string | null, maxBytes: number): DecodedMessage {
  try {
    return decodeChecked(value, maxBytes);
  } catch (error: unknown) {
    // A message must never stop ingest (it would be met again at the same offset after every
    // restart): whatever a check did not foresee quarantines this one message.
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, rejection: { code: 'RETOUR_EVENT_SCHEMA_INVALID', path: '$', message: `$: the message could not be checked (${reason})` } };
  }
}

function decodeChecked(value: Uint8Array | string | null, maxBytes: number): DecodedMessage {
  if (value === null) {
    return { ok: false, rejection: { code: 'RETOUR_EVENT_NOT_JSON', path: '$', message: TOMBSTONE_REASON } };
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
  const event = result.event;
  let canonical: string | null = null;
  if (!readsTheSame(text, event, typeof value === 'string')) {
    const serialised = JSON.stringify(event);
    // JSON.stringify writes a lone surrogate as an escape (\udXXX); paired ones stay literal characters.
    if (serialised.includes('\\ud')) {
      const path = findLoneSurrogate(event, '$');
      if (path !== undefined) {
        return {
          ok: false,
          rejection: {
            code: 'RETOUR_EVENT_NOT_JSON',
            path,
            message: `${path}: text holds an unpaired UTF-16 surrogate, which is not valid Unicode`,
            eventId: event.id,
            eventType: event.type,
          },
        };
      }
    }
    if (serialised !== text) canonical = serialised;
  }
  const payload = typeof value === 'string' || startsWithByteOrderMark(value) ? text : value;
  return { ok: true, id: event.id, type: SHARED_TYPE_NAMES.get(event.type) ?? event.type, payload, canonical, ...referenceOf(event) };
}

function startsWithByteOrderMark(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** The text of a decoded event's payload (bytes are valid UTF-8 by then). */
export function payloadText(payload: Uint8Array | string): string {
  return typeof payload === 'string' ? payload : utf8.decode(payload);
}

/** What the refund reference check needs from orders and refunds. */
function referenceOf(event: RetourEvent): { orderId: string | undefined; amount: number; currency: string | undefined } {
  if (event.type === 'order.placed') {
    let total = 0;
    for (const line of event.data.lines) total += line.unitPrice * line.quantity;
    return { orderId: event.data.orderId, amount: total, currency: event.data.currency };
  }
  if (event.type === 'refund.issued') return { orderId: event.data.orderId, amount: event.data.amount, currency: event.data.currency };
  return { orderId: undefined, amount: 0, currency: undefined };
}

function rejected(result: ReturnType<typeof decodeEvent>): DecodedMessage {
  if (result.ok) throw new Error('decodeEvent accepted a message that is oversize or not UTF-8'); // cannot happen: both checks run first
  return { ok: false, rejection: result.rejection };
}
