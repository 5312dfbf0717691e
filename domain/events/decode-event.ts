/**
 * Turns one raw message (Kafka value or NDJSON line) into a valid contract event, or a precise
 * rejection: error code, JSON path, rule and offending value. Pure: no I/O, no clock.
 */
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import type { RetourErrorCode } from '../errors/error-catalogue.ts';
import { PLAUSIBLE_TIME_RULE, isPlausibleInstant, registerContractFormats } from './date-time-format.ts';
import { EVENT_DATA_SCHEMAS, SCHEMA_RULES, EventEnvelope, type EventType, type RetourEvent } from './event-schemas.ts';

registerContractFormats();

export interface EventRejection {
  code: Extract<
    RetourErrorCode,
    | 'RETOUR_EVENT_NOT_JSON'
    | 'RETOUR_EVENT_OVERSIZE'
    | 'RETOUR_EVENT_ENVELOPE_INVALID'
    | 'RETOUR_EVENT_UNKNOWN_TYPE'
    | 'RETOUR_EVENT_SCHEMA_INVALID'
    | 'RETOUR_EVENT_IMPOSSIBLE_VALUE'
  >;
  /** JSON path of the offending value, `$` for the whole message. */
  path: string;
  message: string;
  /** Best-effort event id and type, so a quarantined message can still be found by them. */
  eventId?: string;
  eventType?: string;
}

export type DecodeResult = { ok: true; event: RetourEvent } | { ok: false; rejection: EventRejection };

const envelopeCheck = TypeCompiler.Compile(EventEnvelope);
const dataChecks = new Map<string, TypeCheck<TSchema>>(
  Object.entries(EVENT_DATA_SCHEMAS).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]),
);

/** `/data/lines/0/quantity` → `$.data.lines[0].quantity` */
export function pointerToJsonPath(pointer: string): string {
  if (pointer === '' || pointer === '/') return '$';
  return (
    '$' +
    pointer
      .split('/')
      .slice(1)
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((part) => (/^\d+$/.test(part) ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`))
      .join('')
  );
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  // JSON.parse reads 1e400 as Infinity, which JSON.stringify would show as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a number too large to represent';
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    // JSON.stringify recurses: a value nested thousands of levels deep overflows the stack.
    return `${Array.isArray(value) ? 'an array' : 'an object'} nested too deeply to show`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Attributes an event must have; every other top-level attribute is optional. */
const REQUIRED_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type', 'time', 'data']);

/**
 * CloudEvents' JSON format: an attribute whose value is null "MUST be treated as the equivalent of
 * unset or omitted". Removes such optional attributes (a required one stays and fails the schema).
 * Ingest applies it to both sides when it compares a re-sent event with the first one, so
 * `"subject": null` and no subject are the same content.
 */
export function dropNullAttributes(envelope: Record<string, unknown>): void {
  for (const name in envelope) {
    if (envelope[name] === null && !REQUIRED_ATTRIBUTES.has(name)) delete envelope[name];
  }
}

function firstSchemaError(check: TypeCheck<TSchema>, value: unknown, prefix: string): { path: string; message: string } | undefined {
  // Check() is ~5x faster than walking Errors(); valid events are the hot path of ingest.
  if (check.Check(value)) return undefined;
  const error = check.Errors(value).First();
  if (error === undefined) return undefined;
  const path = pointerToJsonPath(prefix + error.path);
  const allowed = (error.schema as { enum?: readonly string[] }).enum;
  // Custom-kind enumerations report "Expected kind 'StringEnum'"; say the rule instead (a long
  // list such as the currencies' and a regular expression have a rule of their own).
  const ownRule = SCHEMA_RULES.get(error.schema);
  const rule = ownRule !== undefined ? ownRule(error.value) : allowed === undefined ? error.message : `must be one of ${allowed.join(', ')}`;
  return { path, message: `${path}: ${rule} (got ${describeValue(error.value)})` };
}

/** The envelope's own attributes; any other top-level name is a CloudEvents extension attribute. */
const ENVELOPE_ATTRIBUTES = new Set(Object.keys(EventEnvelope.properties));
/** CloudEvents 1.0 § Attribute Naming Convention: names MUST be lower-case ASCII letters or digits. */
const EXTENSION_NAME = /^[a-z0-9]+$/;

/** The first extension attribute whose name breaks CloudEvents' naming convention, or undefined. */
function findBadExtensionName(envelope: Record<string, unknown>): { path: string; message: string } | undefined {
  for (const name in envelope) {
    if (ENVELOPE_ATTRIBUTES.has(name) || EXTENSION_NAME.test(name)) continue;
    const path = pointerToJsonPath(`/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    const hint = name.toLowerCase().replace(/[^a-z0-9]/g, '');
    const suggestion = hint === '' || ENVELOPE_ATTRIBUTES.has(hint) ? '' : `, e.g. ${JSON.stringify(hint)}`;
    return {
      path,
      message: `${path}: an extension attribute name must be lower-case ASCII letters and digits only${suggestion} (CloudEvents 1.0 § Attribute Naming Convention; got ${describeValue(name)})`,
    };
  }
  return undefined;
}

/** Names of the date-time fields of each type's `data` (all at its top level). */
const DATA_TIMESTAMP_FIELDS = new Map<string, readonly string[]>(
  Object.entries(EVENT_DATA_SCHEMAS).map(([type, schema]) => [
    type,
    Object.entries(schema.properties as Record<string, TSchema>)
      .filter(([, field]) => field['format'] === 'date-time')
      .map(([name]) => name),
  ]),
);

/** The first timestamp (`time`, then those of `data`) outside the plausible range, or undefined. */
function findImplausibleTime(event: RetourEvent): { path: string; message: string } | undefined {
  if (!isPlausibleInstant(event.time)) return implausible('$.time', event.time);
  const data = event.data as unknown as Record<string, unknown>;
  for (const field of DATA_TIMESTAMP_FIELDS.get(event.type) ?? []) {
    const value = data[field];
    if (typeof value === 'string' && !isPlausibleInstant(value)) return implausible(`$.data.${field}`, value);
  }
  return undefined;
}

function implausible(path: string, value: string): { path: string; message: string } {
  return { path, message: `${path}: ${PLAUSIBLE_TIME_RULE} (got ${describeValue(value)})` };
}

/** Index of the first line id that repeats an earlier one, or -1. */
function findDuplicateLineId(lineIds: ReadonlyArray<string>): number {
  // Events carry a handful of lines: a pairwise scan allocates nothing (a Set per event showed in profiles).
  if (lineIds.length <= 16) {
    for (let index = 1; index < lineIds.length; index++) {
      for (let earlier = 0; earlier < index; earlier++) if (lineIds[earlier] === lineIds[index]) return index;
    }
    return -1;
  }
  const seen = new Set<string>();
  for (let index = 0; index < lineIds.length; index++) {
    const lineId = lineIds[index]!;
    if (seen.has(lineId)) return index;
    seen.add(lineId);
  }
  return -1;
}

/** Checks that need the whole event, not one field: values impossible within the event itself. */
function findImpossibleValue(event: RetourEvent): { path: string; message: string } | undefined {
  const implausibleTime = findImplausibleTime(event);
  if (implausibleTime !== undefined) return implausibleTime;
  const data = event.data as { lines?: ReadonlyArray<{ lineId: string }>; lineIds?: readonly string[] };
  if (data.lines !== undefined) {
    const index = findDuplicateLineId(data.lines.map((line) => line.lineId));
    if (index !== -1) {
      return {
        path: `$.data.lines[${index}].lineId`,
        message: `$.data.lines[${index}].lineId: line ids must be unique within an event (got ${JSON.stringify(data.lines[index]!.lineId)} twice)`,
      };
    }
  }
  if (data.lineIds !== undefined) {
    const index = findDuplicateLineId(data.lineIds);
    if (index !== -1) {
      return {
        path: `$.data.lineIds[${index}]`,
        message: `$.data.lineIds[${index}]: line ids must be unique (got ${JSON.stringify(data.lineIds[index])} twice)`,
      };
    }
  }
  return undefined;
}

export interface DecodeOptions {
  /** Messages larger than this many bytes are rejected before parsing. Default 65536. */
  maxBytes?: number;
}

/**
 * Decodes one message.
 * @example
 * const result = decodeEvent('{"specversion":"1.0", …}');
 * if (!result.ok) console.log(result.rejection.code, result.rejection.path);
 */
export function decodeEvent(raw: string | Uint8Array, options: DecodeOptions = {}): DecodeResult {
  const maxBytes = options.maxBytes ?? 65_536;
  const byteLength = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.byteLength;
  if (byteLength > maxBytes) return { ok: false, rejection: oversizeRejection(byteLength, maxBytes) };
  let value: unknown;
  try {
    const text = typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw);
    value = JSON.parse(text);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    return reject('RETOUR_EVENT_NOT_JSON', '$', `$: message is not valid UTF-8 JSON (${reason})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('RETOUR_EVENT_NOT_JSON', '$', `$: message must be a JSON object (got ${describeValue(value)})`);
  }
  dropNullAttributes(value as Record<string, unknown>);
  const candidate = value as { id?: unknown; type?: unknown; data?: unknown };
  const eventId = typeof candidate.id === 'string' ? candidate.id : undefined;
  const eventType = typeof candidate.type === 'string' ? candidate.type : undefined;
  const envelopeError = firstSchemaError(envelopeCheck, value, '');
  if (envelopeError !== undefined) {
    return reject('RETOUR_EVENT_ENVELOPE_INVALID', envelopeError.path, envelopeError.message, eventId, eventType);
  }
  const badName = findBadExtensionName(value as Record<string, unknown>);
  if (badName !== undefined) return reject('RETOUR_EVENT_ENVELOPE_INVALID', badName.path, badName.message, eventId, eventType);
  const dataCheck = dataChecks.get(eventType!);
  if (dataCheck === undefined) {
    return reject(
      'RETOUR_EVENT_UNKNOWN_TYPE',
      '$.type',
      `$.type: ${JSON.stringify(eventType)} is not a v1 event type (one of ${[...dataChecks.keys()].join(', ')})`,
      eventId,
      eventType,
    );
  }
  const dataError = firstSchemaError(dataCheck, candidate.data, '/data');
  if (dataError !== undefined) {
    return reject('RETOUR_EVENT_SCHEMA_INVALID', dataError.path, dataError.message, eventId, eventType);
  }
  const event = value as RetourEvent;
  const impossible = findImpossibleValue(event);
  if (impossible !== undefined) {
    return reject('RETOUR_EVENT_IMPOSSIBLE_VALUE', impossible.path, impossible.message, eventId, eventType);
  }
  return { ok: true, event };
}

/** The rejection of a message of `byteLength` bytes above the limit of `maxBytes`. */
export function oversizeRejection(byteLength: number, maxBytes: number): EventRejection {
  return { code: 'RETOUR_EVENT_OVERSIZE', path: '$', message: `$: message is ${byteLength} bytes, above the limit of ${maxBytes} bytes` };
}

function reject(
  code: EventRejection['code'],
  path: string,
  message: string,
  eventId?: string,
  eventType?: string,
): DecodeResult {
  const rejection: EventRejection = { code, path, message };
  if (eventId !== undefined) rejection.eventId = eventId;
  if (eventType !== undefined) rejection.eventType = eventType;
  return { ok: false, rejection };
}

export function isEventType(type: string): type is EventType {
  return dataChecks.has(type);
}
