/**
 * Content negotiation for tabular endpoints: `Accept: application/vnd.apache.arrow.stream` gets the
 * rows as an Arrow IPC stream (for notebooks and services), anything else the JSON body.
 *
 * The columns and their types come from the rows' response schema, not from the data: inferring
 * them left out every column that was null on all rows (an open flag queue had no `closedAt`, a job
 * list without failures no `error`) and answered an empty page with no columns at all, so a
 * notebook's `table['closedAt']` worked on one page and failed on the next.
 */
import { Bool, DateDay, Dictionary, Float64, Int32, Int64, Table, TimestampMillisecond, Utf8, tableToIPC, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import type { TObject, TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preParsingHookHandler } from 'fastify';
import { ARROW_MEDIA_TYPE, problemResponses } from '../schemas/common-schemas.ts';
import { sendProblem } from './problem-details.ts';

/** The media ranges of an Accept header, lower-cased, with their q-values (1 when not given, 0 when unreadable). */
function mediaRanges(accept: string): { range: string; quality: number }[] {
  return accept.split(',').map((item) => {
    const [range = '', ...parameters] = item.split(';').map((part) => part.trim().toLowerCase());
    const qualityParameter = parameters.find((parameter) => parameter.startsWith('q='));
    const parsed = qualityParameter === undefined ? 1 : Number(qualityParameter.slice(2));
    return { range, quality: Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0 };
  });
}

/** The highest q-value `accept` gives the Arrow type by name, and JSON (`application/json`, `application/*` or `*\/*`). */
function acceptQualities(accept: string): { arrow: number; json: number } {
  let arrow = 0;
  let json = 0;
  for (const { range, quality } of mediaRanges(accept)) {
    if (range === ARROW_MEDIA_TYPE) arrow = Math.max(arrow, quality);
    else if (range === 'application/json' || range === 'application/*' || range === '*/*') json = Math.max(json, quality);
  }
  return { arrow, json };
}

/** Whether `accept` admits (q above 0) one of `mediaTypes`, by name, by `type/*` or by `*\/*`. */
function admitsAny(accept: string, mediaTypes: readonly string[]): boolean {
  const bases = mediaTypes.map((mediaType) => mediaType.split(';')[0]!.trim().toLowerCase());
  return mediaRanges(accept).some(
    ({ range, quality }) => quality > 0 && (range === '*/*' || bases.some((base) => base === range || (range.endsWith('/*') && base.startsWith(range.slice(0, -1))))),
  );
}

/**
 * Whether the client asked for Arrow: named explicitly (`*\/*` keeps JSON) with a q-value above 0 and
 * not below JSON's (`application/json`, `application/*` or `*\/*`); a tie goes to Arrow, which the
 * client named. Media types compare case-insensitively. Until session 11 any mention of the Arrow type
 * won, so `application/json, application/vnd.apache.arrow.stream;q=0.5` and `…arrow.stream;q=0` got Arrow.
 */
export function wantsArrow(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (accept === undefined) return false;
  const { arrow, json } = acceptQualities(accept);
  return arrow > 0 && arrow >= json;
}

/** Cheap first look: most requests do not name Arrow at all. */
const NAMES_ARROW = /vnd\.apache\.arrow/i;

type ResponseSchemas = Record<string, { content?: Record<string, unknown> } | undefined>;

/** The media types of a route's success responses, from its response schema (none without one). */
function successMediaTypes(response: unknown): string[] {
  if (typeof response !== 'object' || response === null) return [];
  return Object.entries(response as ResponseSchemas)
    .filter(([status]) => status.startsWith('2'))
    .flatMap(([, schema]) => Object.keys(schema?.content ?? {}));
}

const NOT_ACCEPTABLE_DESCRIPTION = `Accept names ${ARROW_MEDIA_TYPE} and admits none of the types this route answers: it has no Arrow form`;

/**
 * 406 Not Acceptable for an Accept that asks for Arrow and admits none of the types a route's success
 * responses have (for a JSON route: no `application/json`, `application/*` or `*\/*` with a q above
 * 0) when the route has no Arrow form:
 * until session 13 such a request got JSON, which an Arrow reader then failed to open. Routes without
 * a response schema (metrics, docs, console) and Accept lists that admit JSON are left alone. Each
 * JSON route documents the 406 in its OpenAPI responses. Call before the routes are registered.
 */
export function registerNotAcceptable(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as ResponseSchemas | undefined;
    const offered = successMediaTypes(response);
    if (response === undefined || offered.length === 0 || offered.includes(ARROW_MEDIA_TYPE) || response['406'] !== undefined) return;
    // @fastify/swagger reads the route's schema when the document is built, so it shows this too.
    response['406'] = problemResponses([406, NOT_ACCEPTABLE_DESCRIPTION])[406] as ResponseSchemas[string];
    // preParsing: after authentication and the rate limit (onRequest), before a body is read. Added to
    // these routes only, with their media types worked out once, not on every request.
    const refuseArrow: preParsingHookHandler = (request, reply, payload, done) => {
      const accept = request.headers.accept;
      if (accept === undefined || !NAMES_ARROW.test(accept) || acceptQualities(accept).arrow === 0 || admitsAny(accept, offered)) return done(null, payload);
      const detail = `${route.url} answers ${offered.join(', ')} only, not ${ARROW_MEDIA_TYPE}; send Accept: ${offered[0]} (or */*), or use a route with an Arrow form (docs/api.md § Arrow)`;
      sendProblem(request, reply, { code: 'RETOUR_BAD_REQUEST', status: 406, title: 'Not acceptable', detail, errors: [{ field: 'headers.accept', message: `must admit ${offered.join(' or ')}` }] });
    };
    route.preParsing = [...[route.preParsing ?? []].flat(), refuseArrow];
  });
}

/** Arrow types follow the schema: integers Int64, date-times UTC timestamps, dates Date32, other numbers Float64. */
type ColumnKind = 'text' | 'number' | 'integer' | 'timestamp' | 'date' | 'boolean' | 'json';

/** One column, or (for a record such as reasonMix) one column per key the rows hold. */
type ColumnPlan =
  | { name: string; kind: ColumnKind; read: (row: Record<string, unknown>) => unknown }
  | { prefix: string; kind: ColumnKind; readRecord: (row: Record<string, unknown>) => Record<string, unknown> | undefined };

/** The JSON Schema `type` names of a schema (`['number', 'null']` for NullableNumber; a union's members'). */
function typeNames(schema: TSchema): string[] {
  const declared: unknown = schema['type'];
  if (typeof declared === 'string') return [declared];
  if (Array.isArray(declared)) return declared.map(String);
  const members: unknown = schema['anyOf'] ?? schema['oneOf'];
  if (Array.isArray(members)) return (members as TSchema[]).flatMap((member) => typeNames(member));
  return [];
}

function kindOf(schema: TSchema): ColumnKind {
  const names = new Set(typeNames(schema).filter((name) => name !== 'null'));
  if (names.size === 1 && names.has('string')) {
    if (schema['format'] === 'date-time') return 'timestamp';
    if (schema['format'] === 'date') return 'date';
    return 'text';
  }
  if (names.size === 1 && names.has('integer')) return 'integer';
  if (names.size > 0 && [...names].every((name) => name === 'number' || name === 'integer')) return 'number';
  if (names.size === 1 && names.has('boolean')) return 'boolean';
  return 'json';
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Flat columns for Arrow: nested objects become `parent_child` columns (one level), records (an
 * object with free keys) one `parent_key` column per key present, arrays and deeper objects JSON text.
 */
function planColumns(rowSchema: TObject): ColumnPlan[] {
  const plans: ColumnPlan[] = [];
  for (const [name, schema] of Object.entries(rowSchema.properties)) {
    const inner: unknown = schema['properties'];
    const patterns: unknown = schema['patternProperties'];
    if (isPlainObject(inner)) {
      for (const [innerName, innerSchema] of Object.entries(inner as Record<string, TSchema>)) {
        plans.push({ name: `${name}_${innerName}`, kind: kindOf(innerSchema), read: (row) => (isPlainObject(row[name]) ? row[name][innerName] : null) });
      }
    } else if (isPlainObject(patterns)) {
      const valueSchema = Object.values(patterns as Record<string, TSchema>)[0];
      plans.push({ prefix: name, kind: valueSchema === undefined ? 'json' : kindOf(valueSchema), readRecord: (row) => (isPlainObject(row[name]) ? row[name] : undefined) });
    } else {
      plans.push({ name, kind: kindOf(schema), read: (row) => row[name] });
    }
  }
  return plans;
}

function arrowTypeOf(kind: ColumnKind): DataType {
  if (kind === 'number') return new Float64();
  // Int64, not Int32: money in minor units passes 2^31 (21 million euros) on a large page.
  if (kind === 'integer') return new Int64();
  if (kind === 'timestamp') return new TimestampMillisecond('UTC');
  if (kind === 'date') return new DateDay();
  if (kind === 'boolean') return new Bool();
  // Dictionary-encoded text, as apache-arrow's tableFromJSON wrote it before: ids and labels repeat.
  return new Dictionary(new Utf8(), new Int32());
}

function cell(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'json') return typeof value === 'string' ? value : JSON.stringify(value);
  if (kind === 'text') return isPlainObject(value) || Array.isArray(value) ? JSON.stringify(value) : String(value);
  // Arrow's Int64 builder takes bigints; the schema promised an integer, so rounding changes nothing.
  if (kind === 'integer') return typeof value === 'number' && Number.isFinite(value) ? BigInt(Math.round(value)) : null;
  // Milliseconds since the epoch, for timestamps and (at midnight UTC) for dates alike.
  if (kind === 'timestamp' || kind === 'date') {
    const milliseconds = Date.parse(String(value));
    return Number.isNaN(milliseconds) ? null : milliseconds;
  }
  return value;
}

/** The rows as one Arrow IPC stream whose columns are the schema's, in its order. */
export function rowsToArrowStream(rows: readonly object[], rowSchema: TObject): Uint8Array {
  const records = rows as readonly Record<string, unknown>[];
  const columns: Record<string, Vector> = {};
  for (const plan of planColumns(rowSchema)) {
    if ('read' in plan) {
      columns[plan.name] = vectorFromArray(records.map((row) => cell(plan.kind, plan.read(row))), arrowTypeOf(plan.kind));
      continue;
    }
    const keys = new Set<string>();
    for (const row of records) for (const key of Object.keys(plan.readRecord(row) ?? {})) keys.add(key);
    for (const key of keys) {
      columns[`${plan.prefix}_${key}`] = vectorFromArray(records.map((row) => cell(plan.kind, plan.readRecord(row)?.[key])), arrowTypeOf(plan.kind));
    }
  }
  return tableToIPC(new Table(columns), 'stream');
}

/** Sends `rows` as Arrow (columns from `rowSchema`, the schema of one row) when asked, else `json`. */
export function sendTabular(request: FastifyRequest, reply: FastifyReply, tabular: { rows: readonly object[]; rowSchema: TObject; json: unknown }): FastifyReply {
  if (wantsArrow(request)) return reply.type(ARROW_MEDIA_TYPE).send(Buffer.from(rowsToArrowStream(tabular.rows, tabular.rowSchema)));
  return reply.send(tabular.json);
}
