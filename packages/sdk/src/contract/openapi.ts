import { z } from 'zod';
import { type ErrorCode, PROBLEM_CONTENT_TYPE, Problem } from './errors.ts';
import { problemResponses } from './openapi-problems.ts';
import { tusPaths } from './openapi-tus.ts';
import type { Operation } from './operation.ts';
import { operations } from './operations.ts';
import { UploadMetadata, UploadResult } from './uploads.ts';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
};

/** Errors any operation can answer with, beyond its own. */
const COMMON_ERRORS: readonly ErrorCode[] = ['validation_failed', 'internal'];

const toOpenApiPath = (path: string) => path.replace(/:([a-zA-Z]+)/g, '{$1}');

function parameters(operation: Operation) {
  const list: JsonSchema[] = [];
  for (const [location, schema] of [
    ['path', operation.params],
    ['query', operation.query],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      list.push({
        name,
        in: location,
        required: location === 'path' || (object.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return list;
}

function responses(operation: Operation) {
  const result: Record<string, JsonSchema> = {};
  result[String(operation.status)] =
    operation.status === 204 || !operation.response
      ? { description: 'Done' }
      : {
          description: 'Success',
          content: { 'application/json': { schema: jsonSchema(operation.response, 'output') } },
        };
  const codes = new Set<ErrorCode>([...operation.errors, ...COMMON_ERRORS]);
  if (operation.access !== 'public') codes.add('unauthenticated');
  if (operation.access !== 'public' && operation.access !== 'user') codes.add('insufficient_scope');
  return { ...result, ...problemResponses(codes) };
}

const CDN_DESCRIPTION = `A published file (original or rendition), served by the CDN tier: the \`cdn\` role, also
mounted by \`all\` and \`serve\`, at \`FLICKR_CDN_URL\` when that is set. Photo responses carry these URLs
already signed: the signature covers the key, the viewer and the expiry, and the tier also checks that the
viewer may still see the photo, so a revoked share, a photo made private or a deleted one stops being served
within seconds. No bearer token is needed. Files never change under a key: answers are \`immutable\` and
cacheable for what is left of the URL's life, with an \`ETag\`, \`If-None-Match\` and single \`Range\` requests. \`HEAD\` answers the same headers.
Original downloads run one at a time per viewer (per client address for URLs signed for anyone).`;

const problemResponse = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** The CDN tier's one route: `/cdn/<user>/<album>/<resolution>/<file>` and its signature. */
function cdnPath() {
  const segment = (name: string, description: string, pattern: string) => ({
    name,
    in: 'path',
    required: true,
    description,
    schema: { type: 'string', pattern },
  });
  const query = (name: string, description: string, pattern: string) => ({
    name,
    in: 'query',
    required: true,
    description,
    schema: { type: 'string', pattern },
  });
  const header = (name: string, description: string) => ({
    name,
    in: 'header',
    required: false,
    description,
    schema: { type: 'string' },
  });
  return {
    get: {
      operationId: 'cdnFile',
      summary: 'A published file, by signed URL',
      tags: ['cdn'],
      description: CDN_DESCRIPTION,
      security: [{}],
      parameters: [
        segment('user', 'The owner’s id', '^[0-9a-f-]{36}$'),
        segment('album', 'The album’s id, or `default`', '^[0-9a-z-]+$'),
        segment('resolution', '`original`, `thumbnail` or a configured rendition', '^[a-z0-9-]+$'),
        segment('file', '`<photo id>.<extension>`', '^[0-9a-f-]{36}\\.[a-z]+$'),
        query('v', 'The viewer the URL was signed for: a user id, or `-` for anyone', '^.+$'),
        query('e', 'Expiry, in Unix seconds', '^\\d{1,12}$'),
        query('s', 'The signature (base64url)', '^[A-Za-z0-9_-]{22}$'),
        header('Range', 'One byte range, e.g. `bytes=0-1023` or `bytes=-500`'),
        header('If-None-Match', 'An ETag from an earlier answer'),
      ],
      responses: {
        '200': {
          description: 'The file',
          content: { 'image/*': { schema: { type: 'string', contentMediaType: 'image/*' } } },
        },
        '206': { description: 'The requested range (`Content-Range`)' },
        '304': { description: 'Not modified: the ETag matches' },
        '403': problemResponse('Problem: invalid_signature, url_expired'),
        '404': problemResponse(
          'Problem: not_found (no such file, or the viewer may no longer see the photo)',
        ),
        '416': problemResponse('Problem: range_not_satisfiable (`Content-Range: bytes */<size>`)'),
        '429': problemResponse(
          'Problem: too_many_downloads (an original is in flight; `Retry-After`)',
        ),
      },
    },
  };
}

/** Where the document says the API and the CDN tier are, and which version it describes. */
export interface OpenApiOptions {
  /**
   * The API's public URL (`FLICKR_PUBLIC_URL`). Without it the server is
   * `/`: relative to where the document was fetched, which is right for the
   * document a server serves about itself.
   */
  serverUrl?: string | undefined;
  /** The CDN tier's base URL (`FLICKR_CDN_URL`), when it is not the API's. */
  cdnUrl?: string | undefined;
  version?: string | undefined;
}

/** The OpenAPI 3.1 document of the API, generated from the contract. */
export function buildOpenApiDocument(options: OpenApiOptions = {}) {
  // A path item holds its operations by method, and may say where it is served (`servers`).
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of Object.values(operations) as Operation[]) {
    const path = toOpenApiPath(operation.path);
    paths[path] ??= {};
    paths[path][operation.method.toLowerCase()] = {
      operationId: operation.id,
      summary: operation.summary,
      tags: [operation.tag],
      ...(operation.access === 'public' || operation.access === 'public-read'
        ? { security: [{}, { bearer: [] }] }
        : {}),
      ...(operation.access === 'public-read'
        ? {
            description:
              'Open to anyone; what it shows depends on the caller. A token needs the `read` scope.',
          }
        : operation.access !== 'public' && operation.access !== 'user'
          ? { description: `Requires the \`${operation.access}\` scope.` }
          : {}),
      parameters: parameters(operation),
      ...(operation.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } },
            },
          }
        : {}),
      responses: responses(operation),
    };
  }
  Object.assign(paths, tusPaths());
  paths['/cdn/{user}/{album}/{resolution}/{file}'] = {
    ...(options.cdnUrl
      ? { servers: [{ url: options.cdnUrl, description: 'The CDN tier (`FLICKR_CDN_URL`)' }] }
      : {}),
    ...cdnPath(),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'flickr-kit API',
      version: options.version ?? '1',
      description: 'Photo sharing for programs first. Errors are RFC 9457 problem documents.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      options.serverUrl
        ? { url: options.serverUrl, description: 'This server (`FLICKR_PUBLIC_URL`)' }
        : { url: '/', description: 'This server: the one that serves this document' },
    ],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: jsonSchema(Problem, 'output'),
        UploadMetadata: jsonSchema(UploadMetadata, 'input'),
        UploadResult: jsonSchema(UploadResult, 'output'),
      },
    },
  };
}
