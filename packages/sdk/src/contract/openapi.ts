import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode, PROBLEM_CONTENT_TYPE, Problem } from './errors.ts';
import type { Operation } from './operation.ts';
import { operations } from './operations.ts';
import { TUS_PATH, UploadMetadata, UploadResult } from './uploads.ts';

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
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes)
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    result[String(status)] = {
      description: `Problem: ${statusCodes.join(', ')}`,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return result;
}

const TUS_DESCRIPTION = `Resumable uploads over the [tus 1.0](https://tus.io/protocols/resumable-upload) protocol
(core, creation, creation-with-upload, termination, expiration). Any tus client works.
Send \`Authorization: Bearer <token>\` (write scope) with every request and the file's metadata in
\`Upload-Metadata\`, values base64-encoded. The final \`PATCH\` answers \`200\` with an \`UploadResult\`
once the photo is recorded: the upload saga's pivot.`;

/** The OpenAPI 3.1 document of the API, generated from the contract. */
export function buildOpenApiDocument(options: { serverUrl?: string; version?: string } = {}) {
  const paths: Record<string, Record<string, JsonSchema>> = {};
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
  paths[`${TUS_PATH}/`] = {
    post: {
      operationId: 'tusCreate',
      summary: 'Create a resumable upload (tus creation, creation-with-upload)',
      tags: ['uploads'],
      description: TUS_DESCRIPTION,
      responses: { '201': { description: 'Created; `Location` is the upload URL' } },
    },
  };
  paths[`${TUS_PATH}/{uploadId}`] = {
    head: {
      operationId: 'tusOffset',
      summary: 'Offset of an upload',
      tags: ['uploads'],
      responses: { '200': { description: 'Upload-Offset header' } },
    },
    patch: {
      operationId: 'tusAppend',
      summary: 'Append bytes at Upload-Offset',
      tags: ['uploads'],
      responses: {
        '204': { description: 'Bytes stored; not complete yet' },
        '200': {
          description: 'Upload complete and the photo recorded',
          content: { 'application/json': { schema: jsonSchema(UploadResult, 'output') } },
        },
      },
    },
    delete: {
      operationId: 'tusTerminate',
      summary: 'Abandon an upload',
      tags: ['uploads'],
      responses: { '204': { description: 'Removed' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'flickr-kit API',
      version: options.version ?? '1',
      description: 'Photo sharing for programs first. Errors are RFC 9457 problem documents.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: jsonSchema(Problem, 'output'),
        UploadMetadata: jsonSchema(UploadMetadata, 'input'),
      },
    },
  };
}
