/**
 * The OpenAPI 3.1 document, generated from the routes' TypeBox schemas, at /docs/json, and Swagger
 * UI at /docs. Registered before the routes so it sees every one of them.
 */
import swagger, { type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ProblemDetails } from '../schemas/common-schemas.ts';

/** Spread into a route's schema when the request body may be left out (the route's validator accepts none). */
export const OPTIONAL_BODY = { 'x-retour-optional-body': true } as const;

interface OpenApiDocument {
  paths?: Record<string, Record<string, { requestBody?: { required?: boolean }; 'x-retour-optional-body'?: boolean }>>;
}

function markOptionalBodies(document: OpenApiDocument): OpenApiDocument {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      if (operation['x-retour-optional-body'] !== true) continue;
      delete operation['x-retour-optional-body'];
      if (operation.requestBody !== undefined) operation.requestBody.required = false;
    }
  }
  return document;
}

export async function registerOpenApiDocs(app: FastifyInstance, options: { version: string }): Promise<void> {
  app.addSchema(ProblemDetails);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Retour API',
        version: options.version,
        description:
          'Return-fraud risk and product-quality analytics. Authenticate with `Authorization: Bearer KEY` (`retour keys create --role ROLE`). Errors are RFC 9457 `application/problem+json`. Tabular endpoints also answer `Accept: application/vnd.apache.arrow.stream`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `retour keys create --role ROLE`' } } },
      tags: [
        { name: 'risk', description: 'Customer return-fraud risk, real-time scoring, flags and review decisions' },
        { name: 'quality', description: 'Product return-reason and defect trends' },
        { name: 'operations', description: 'Health, readiness, metrics and jobs' },
        { name: 'admin', description: 'API keys and the audit log (admin keys only)' },
      ],
    },
    // @fastify/swagger marks every request body required; a route whose body may be left out (POST
    // /v1/models/train takes none) says so with OPTIONAL_BODY in its schema, so fuzzers and clients
    // do not expect a 400 for the missing body.
    transformObject: (documentObject) => ('openapiObject' in documentObject ? markOptionalBodies(documentObject.openapiObject as OpenApiDocument) : documentObject.swaggerObject) as ReturnType<SwaggerTransformObject>,
    // `ProblemDetails` is referenced by name from every route's error responses.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${index}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
}
