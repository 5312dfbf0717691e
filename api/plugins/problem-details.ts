/**
 * RFC 9457 problem details for every error: thrown RetourErrors, fastify's schema-validation errors
 * (400 naming each field), unknown routes (404), known paths with another method (405), and anything
 * unexpected (500, logged with the request id; never a stack trace or SQL in the response).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOGUE, type RetourErrorCode } from '../../domain/errors/error-catalogue.ts';
import { isRetourError } from '../../domain/errors/retour-error.ts';
import { PROBLEM_MEDIA_TYPE } from '../schemas/common-schemas.ts';

export interface FieldError {
  field: string;
  message: string;
}

const TITLES: Partial<Record<RetourErrorCode, string>> = {
  RETOUR_BAD_REQUEST: 'Bad request',
  RETOUR_UNAUTHORIZED: 'Unauthorized',
  RETOUR_FORBIDDEN: 'Forbidden',
  RETOUR_NOT_FOUND: 'Not found',
  RETOUR_CONFLICT: 'Conflict',
  RETOUR_RATE_LIMITED: 'Too many requests',
  RETOUR_INTERNAL: 'Internal server error',
  RETOUR_MODEL_UNAVAILABLE: 'Model unavailable',
  RETOUR_KAFKA_UNAVAILABLE: 'Kafka unavailable',
};

/** The router's limit on one path segment (build-app.ts passes it as maxParamLength). */
export const MAX_PARAMETER_CHARACTERS = 2048;
// A problem's `instance` is the request path, cut here: a path can be as long as the server accepts.
const MAX_INSTANCE_LENGTH = 512;

/** Sends a problem; `status` defaults to the code's catalogued status. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: { code: RetourErrorCode; detail: string; status?: number; title?: string; errors?: FieldError[] },
): FastifyReply {
  const status = problem.status ?? ERROR_CATALOGUE[problem.code].status;
  const body: Record<string, unknown> = {
    type: `https://retour.dev/errors/${problem.code}`,
    title: problem.title ?? TITLES[problem.code] ?? ERROR_CATALOGUE[problem.code].meaning,
    status,
    detail: problem.detail,
    instance: (request.url.split('?')[0] ?? request.url).slice(0, MAX_INSTANCE_LENGTH),
    code: problem.code,
    requestId: String(request.id),
  };
  if (problem.errors !== undefined) body['errors'] = problem.errors;
  return reply.code(status).type(PROBLEM_MEDIA_TYPE).send(body);
}

/** `/lines/0/quantity` in `body` → `body.lines[0].quantity`. */
function fieldName(context: string | undefined, instancePath: string, missingProperty?: string): string {
  const parts = instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (missingProperty !== undefined) parts.push(missingProperty);
  let path = context === 'querystring' ? 'query' : (context ?? 'body');
  for (const part of parts) path += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  return path;
}

function validationErrors(error: FastifyError): FieldError[] {
  const context = (error as FastifyError & { validationContext?: string }).validationContext;
  const issues = error.validation ?? [];
  const result: FieldError[] = [];
  for (const [index, issue] of issues.entries()) {
    const params = issue.params as { missingProperty?: string; allowedValues?: unknown[]; allowedValue?: unknown; additionalProperty?: string };
    const field = fieldName(context, issue.instancePath, params.missingProperty ?? params.additionalProperty);
    // Ajv reports a union of literals as one "must be equal to constant" per member, then "must match
    // a schema in anyOf": those become one "must be one of …", said once, on the anyOf error.
    if (issue.keyword === 'const' && issues.slice(index + 1).some((later) => isAnyOfOver(later, issue))) continue;
    if (issue.keyword === 'anyOf') {
      const members = issues.filter((earlier) => earlier.keyword === 'const' && isAnyOfOver(issue, earlier));
      if (members.length > 0) {
        result.push({ field, message: `must be one of ${members.map((member) => String((member.params as { allowedValue?: unknown }).allowedValue)).join(', ')}` });
        continue;
      }
    }
    // A schema may state its rule in words (`errorMessage`) where a pattern would be cryptic.
    const stated = (issue as { parentSchema?: { errorMessage?: unknown } }).parentSchema?.errorMessage;
    if (typeof stated === 'string' && issue.keyword !== 'required' && issue.keyword !== 'additionalProperties') {
      result.push({ field, message: stated });
      continue;
    }
    if (issue.keyword === 'additionalProperties') {
      // A misspelt parameter (`?colour=`, `?actions=`): Ajv's "must NOT have additional properties" does not say what the route takes.
      const names = Object.keys((issue as { parentSchema?: { properties?: Record<string, unknown> } }).parentSchema?.properties ?? {});
      const taken = names.length === 0 ? 'none' : names.join(', ');
      result.push({ field, message: context === 'querystring' ? `is not a parameter of this route; it takes ${taken}` : `is not a field here; the fields are ${taken}` });
      continue;
    }
    if (params.allowedValues !== undefined) {
      result.push({ field, message: `must be one of ${params.allowedValues.join(', ')}` });
      continue;
    }
    result.push({ field, message: issue.message ?? 'is invalid' });
  }
  return result;
}

/** Whether `member` is a failed branch of the `anyOf` error `union` (same value, schema path below it). */
function isAnyOfOver(union: { keyword: string; instancePath: string; schemaPath: string }, member: { instancePath: string; schemaPath: string }): boolean {
  return union.keyword === 'anyOf' && union.instancePath === member.instancePath && member.schemaPath.startsWith(`${union.schemaPath}/`);
}

export interface ProblemDetailsOptions {
  /** Route patterns per method, to tell 405 from 404. */
  readonly routes: () => ReadonlyMap<string, ReadonlySet<string>>;
}

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

export function registerProblemDetails(app: FastifyInstance, options: ProblemDetailsOptions): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation !== undefined) {
      const errors = validationErrors(error);
      return sendProblem(request, reply, {
        code: 'RETOUR_BAD_REQUEST',
        detail: errors.map((item) => `${item.field} ${item.message}`).join('; '),
        errors,
      });
    }
    if (isRetourError(error)) {
      if (error.status >= 500) request.log.error({ err: error, code: error.code }, 'request failed');
      const fields = error.details['errors'] as FieldError[] | undefined;
      return sendProblem(request, reply, { code: error.code, detail: error.message, ...(fields === undefined ? {} : { errors: fields }) });
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 429) return sendProblem(request, reply, { code: 'RETOUR_RATE_LIMITED', detail: error.message });
    if (status >= 400 && status < 500) {
      // fastify's own client errors (bad JSON, unsupported media type, body too large): their
      // messages describe the request, never the server.
      // Each of them is about the body as a whole (unparsable, empty, too large, wrong media type):
      // the field is `body`, so a client reads every 400/413/415 the same way as a validation error.
      // fastify's 415 says only "Unsupported Media Type": say what to send instead.
      const detail = status === 415 ? `the body must be JSON, sent with Content-Type: application/json; got ${request.headers['content-type']?.slice(0, 100) ?? 'no Content-Type'}` : error.message;
      return sendProblem(request, reply, { code: 'RETOUR_BAD_REQUEST', status, title: reasonPhrase(status), detail, errors: [{ field: 'body', message: detail }] });
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendProblem(request, reply, { code: 'RETOUR_INTERNAL', detail: `unexpected server error; see the server logs for request id ${String(request.id)}` });
  });

  const answerUnmatched = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = new Set<string>();
    for (const [pattern, methods] of options.routes()) {
      if (patternToRegExp(pattern).test(path)) for (const method of methods) allowed.add(method);
    }
    if (allowed.size > 0) {
      const list = [...allowed].sort().join(', ');
      return sendProblem(request, reply.header('allow', list), {
        code: 'RETOUR_BAD_REQUEST',
        status: 405,
        title: 'Method not allowed',
        detail: `${request.method} is not allowed on ${path}; allowed: ${list}`,
      });
    }
    return sendProblem(request, reply, { code: 'RETOUR_NOT_FOUND', detail: `no route ${request.method} ${path}` });
  };
  // Answered at onRequest, before fastify parses a body: an unknown method with a body (QUERY,
  // PROPFIND…) must get its 404/405, not a content-type error.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    answerUnmatched(request, reply);
  });
  app.setNotFoundHandler((request, reply) => answerUnmatched(request, reply));
}

/**
 * Fastify's errors before routing (its `frameworkErrors` option): a path that is not valid
 * percent-encoding (400) or a path parameter beyond the router's length limit (414), answered as
 * problems naming `path`. The route is unknown here, so the instance is cut short: a 414's path
 * can be kilobytes long.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  const detail =
    error.code === 'FST_ERR_BAD_URL' ? 'is not valid percent-encoding (a % must be followed by two hexadecimal digits)'
    : error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? `has a segment longer than ${MAX_PARAMETER_CHARACTERS} characters`
    : undefined;
  if (detail === undefined) {
    request.log.error({ err: error }, 'unexpected error before routing');
    sendProblem(request, reply, { code: 'RETOUR_INTERNAL', detail: `unexpected server error; see the server logs for request id ${String(request.id)}` });
    return;
  }
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  sendProblem(request, reply, { code: 'RETOUR_BAD_REQUEST', status, title: reasonPhrase(status), detail: `the request path ${detail}`, errors: [{ field: 'path', message: detail }] });
}

function reasonPhrase(status: number): string {
  const phrases: Record<number, string> = { 400: 'Bad request', 404: 'Not found', 405: 'Method not allowed', 406: 'Not acceptable', 413: 'Payload too large', 414: 'URI too long', 415: 'Unsupported media type' };
  return phrases[status] ?? 'Client error';
}
