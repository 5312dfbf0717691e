/**
 * Content negotiation for tabular endpoints: `Accept: application/vnd.apache.arrow.stream` gets the
 * rows as an Arrow IPC stream (for notebooks and services), anything else the JSON body.
 */
import { tableFromJSON, tableToIPC } from 'apache-arrow';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ARROW_MEDIA_TYPE } from '../schemas/common-schemas.ts';

/** Whether the client asked for Arrow (explicitly; `*\/*` keeps JSON). */
export function wantsArrow(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return accept !== undefined && accept.includes(ARROW_MEDIA_TYPE);
}

/**
 * Flat columns for Arrow: nested objects become `parent_child` columns (one level), arrays and
 * deeper objects JSON text, so every column has one simple type.
 */
export function flattenRow(row: object): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [innerKey, innerValue] of Object.entries(value as Record<string, unknown>)) {
        flat[`${key}_${innerKey}`] = innerValue !== null && typeof innerValue === 'object' ? JSON.stringify(innerValue) : innerValue;
      }
    } else if (Array.isArray(value)) {
      flat[key] = JSON.stringify(value);
    } else {
      flat[key] = value;
    }
  }
  return flat;
}

/** The rows as one Arrow IPC stream. */
export function rowsToArrowStream(rows: readonly object[]): Uint8Array {
  return tableToIPC(tableFromJSON(rows.map((row) => flattenRow(row))), 'stream');
}

/** Sends `rows` as Arrow when asked, else `body` as JSON. */
export function sendTabular(request: FastifyRequest, reply: FastifyReply, rows: readonly object[], body: unknown): FastifyReply {
  if (wantsArrow(request)) return reply.type(ARROW_MEDIA_TYPE).send(Buffer.from(rowsToArrowStream(rows)));
  return reply.send(body);
}
