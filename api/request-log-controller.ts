/**
 * fastify's per-request log lines ("incoming request", "request completed") at debug instead of
 * info. At info they were two pino lines per request, ~15 µs of CPU each request — as much as all
 * that the hot routes add to a bare fastify route (scripts/bench/api-bench.ts, docs/api.md).
 * Every request is still counted and timed in /metrics; failures keep their error-level lines.
 * A refused request (4xx) writes one info line — method, path without the query (which may hold
 * a secret someone put there), status, key id, time — so an operator can find a request id a caller
 * quotes, and see failed authentications.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Levels at which debug lines are written (pino's standard levels; Retour defines no custom ones). */
const DEBUG_ENABLED = new Set(['debug', 'trace']);

export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (DEBUG_ENABLED.has(request.log.level)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // Errors while sending keep fastify's error line.
    if (error !== null && error !== undefined) return super.requestCompleted(error, request, reply);
    if (reply.statusCode >= 400 && reply.statusCode < 500) {
      reply.log.info(
        {
          method: request.method,
          path: request.url.split('?', 1)[0],
          statusCode: reply.statusCode,
          keyId: request.principal?.keyId ?? null,
          responseTime: reply.elapsedTime,
        },
        'request refused',
      );
      return;
    }
    if (DEBUG_ENABLED.has(reply.log.level)) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
