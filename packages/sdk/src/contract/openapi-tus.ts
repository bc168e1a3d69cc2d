import type { ErrorCode } from './errors.ts';
import { problemResponses } from './openapi-problems.ts';
import { TUS_PATH } from './uploads.ts';

// The tus endpoint in the OpenAPI document. tus is a protocol of headers,
// not of JSON bodies, so these paths are written here by hand rather than
// generated from operations; every status listed is one the server answers
// (packages/server/test/openapi.test.ts and the tus tests hold it to that).

type JsonSchema = Record<string, unknown>;

export const TUS_DESCRIPTION = `Resumable uploads over the [tus 1.0](https://tus.io/protocols/resumable-upload)
protocol, with the extensions creation, creation-with-upload, creation-defer-length, termination,
expiration, checksum and concatenation. Any tus client works (tus-js-client, Uppy, tusd's clients):
send \`Authorization: Bearer <token>\` (write scope) with every request.

Metadata (\`Upload-Metadata\`, values base64) is optional: \`filename\` (or \`name\`, as Uppy sends it),
\`sha256\`, \`title\`, \`description\`, \`tags\`, \`album\`, \`visibility\`, and the client-rendered thumbnail fields
(see the \`UploadMetadata\` schema). A declared \`sha256\` is checked against the bytes when the last one
lands (\`400 hash_mismatch\`, nothing kept); without it the server uses the hash it computed as they arrived.

The request that completes an upload (the last \`PATCH\`, a creation carrying the whole file, or a final
concatenation) is the upload saga's pivot: the photo is recorded before the answer, \`204\` as tus has it,
with the photo's id in \`Flickr-Photo-Id\`; a client that sends \`Prefer: return=representation\` gets \`200\`
(or \`201\` for a creation) with the \`UploadResult\`. Retrying that request (same offset, no body) answers the
same again, refusals included, for as long as the upload's record lives (\`FLICKR_UPLOAD_EXPIRY_HOURS\` after
it finished). A creation retried with the same \`Idempotency-Key\` is answered with the upload the first made
(without one, a file the caller already has answers \`duplicate: true\` with the same photo). An unfinished upload expires that long after its last bytes arrived (\`Upload-Expires\`).

\`Upload-Checksum\` (md5, sha1 or sha256 of the request's body) is checked per request: a mismatch is
\`460 checksum_mismatch\` and none of that body is kept. Partial uploads (\`Upload-Concat: partial\`) carry no
metadata of their own and are bytes only; the final upload (\`Upload-Concat: final;<urls>\`) names them in
order, carries the metadata, and is completed at once. Every answer carries \`Tus-Resumable: 1.0.0\`; a
request without it, or with another version, is \`412\` with \`Tus-Version\`. A client that cannot send \`PATCH\` or
\`DELETE\` sends \`POST\` with \`X-HTTP-Method-Override: PATCH\` (or \`DELETE\`), answered as that method.`;

const text = (description: string, schema: JsonSchema = { type: 'string' }) => ({
  description,
  schema,
});
const integer = { type: 'integer', minimum: 0 };

const HEADERS = {
  'Tus-Resumable': text('The protocol version: always `1.0.0`', { const: '1.0.0' }),
  'Upload-Offset': text('Bytes the server holds', integer),
  'Upload-Length': text('The upload’s declared length', integer),
  'Upload-Defer-Length': text('`1` while the length is not declared yet', { const: '1' }),
  'Upload-Expires': text('When the unfinished upload expires (an RFC 9110 date)'),
  'Upload-Concat': text('`partial`, or `final;` and the partial uploads’ URLs'),
  'Upload-Metadata': text('The metadata the upload was created with'),
  'Flickr-Photo-Id': text('The photo a finished upload became', { type: 'string', format: 'uuid' }),
  Location: text('The absolute URL of the new upload', { type: 'string', format: 'uri' }),
  'Cache-Control': text('`no-store`'),
  'Tus-Version': text('The versions the server speaks: `1.0.0`'),
  'Tus-Extension': text('The extensions offered'),
  'Tus-Max-Size': text('The largest upload accepted, in bytes', integer),
  'Tus-Checksum-Algorithm': text('The checksum algorithms offered: `md5,sha1,sha256`'),
  'Preference-Applied': text('`return=representation` when the body is the `UploadResult`'),
} as const;

type HeaderName = keyof typeof HEADERS;
const headers = (...names: HeaderName[]) => ({
  headers: Object.fromEntries(names.map((name) => [name, HEADERS[name]])),
});

const requestHeader = (
  name: string,
  description: string,
  schema: JsonSchema,
  required = false,
) => ({
  name,
  in: 'header',
  required,
  description,
  schema,
});

const TUS_RESUMABLE = requestHeader('Tus-Resumable', 'Must be `1.0.0`', { const: '1.0.0' }, true);
const UPLOAD_CHECKSUM = requestHeader(
  'Upload-Checksum',
  '`<md5|sha1|sha256> <base64 digest>` of this request’s body',
  { type: 'string' },
);
const PREFER = requestHeader(
  'Prefer',
  '`return=representation`: answer the request that completes the upload with its `UploadResult`',
  { type: 'string' },
);
const UPLOAD_ID = {
  name: 'uploadId',
  in: 'path',
  required: true,
  description: 'The upload’s id, the last segment of its `Location`',
  schema: { type: 'string', format: 'uuid' },
};

/** Problem responses that speak tus: `Tus-Resumable` always, and `Tus-Version` on a 412. */
const problems = (codes: readonly ErrorCode[], notes: Partial<Record<number, string>> = {}) =>
  problemResponses(codes, (status) => ({
    note: notes[status],
    ...(status === 412 ? headers('Tus-Resumable', 'Tus-Version') : headers('Tus-Resumable')),
  }));

/** What every authenticated tus request may be refused with. */
const ANY: readonly ErrorCode[] = [
  'bad_request',
  'unauthenticated',
  'insufficient_scope',
  'precondition_failed',
  'internal',
];

/** What a request that may complete an upload (and run the pivot) may be refused with. */
const PIVOT: readonly ErrorCode[] = [
  'validation_failed',
  'hash_mismatch',
  'quota_exceeded',
  'unsupported_image',
  'corrupt_image',
  'image_too_large',
];

/** What a request that carries bytes may be refused with. */
const BYTES: readonly ErrorCode[] = [
  'payload_too_large',
  'unsupported_media_type',
  'too_many_uploads',
  'checksum_mismatch',
];

const result = (status: '200' | '201', description: string, ...names: HeaderName[]) => ({
  [status]: {
    description,
    ...headers('Tus-Resumable', ...names),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/UploadResult' } } },
  },
});

/** The tus endpoint's paths. */
export function tusPaths(): Record<string, Record<string, JsonSchema>> {
  const capabilities = {
    operationId: 'tusCapabilities',
    summary: 'What the tus endpoint offers',
    tags: ['uploads'],
    security: [{}],
    responses: {
      '204': {
        description: 'The versions, extensions, size limit and checksum algorithms',
        ...headers(
          'Tus-Resumable',
          'Tus-Version',
          'Tus-Extension',
          'Tus-Max-Size',
          'Tus-Checksum-Algorithm',
        ),
      },
      ...problems(['precondition_failed']),
    },
  };
  return {
    [TUS_PATH]: {
      options: capabilities,
      post: {
        operationId: 'tusCreate',
        summary: 'Create a resumable upload (creation, creation-with-upload, concatenation)',
        tags: ['uploads'],
        description: TUS_DESCRIPTION,
        parameters: [
          TUS_RESUMABLE,
          requestHeader('Upload-Length', 'The file’s size in bytes', integer),
          requestHeader('Upload-Defer-Length', '`1`: the length comes with a later PATCH', {
            const: '1',
          }),
          requestHeader('Upload-Metadata', 'Comma-separated `key base64(value)` pairs', {
            type: 'string',
          }),
          requestHeader('Upload-Concat', '`partial`, or `final;<upload URL> <upload URL>…`', {
            type: 'string',
          }),
          UPLOAD_CHECKSUM,
          PREFER,
          requestHeader(
            'Idempotency-Key',
            'The same key (with the same token and headers) on a retried creation answers with the upload the first one made, without taking its bytes again',
            { type: 'string', minLength: 1, maxLength: 255 },
          ),
        ],
        requestBody: {
          required: false,
          description: 'creation-with-upload: the file’s first bytes, or all of them',
          content: {
            'application/offset+octet-stream': { schema: { type: 'string', format: 'binary' } },
          },
        },
        responses: {
          '201': {
            description:
              'Created. With bytes that complete it (or a final concatenation) the photo is recorded too',
            ...headers(
              'Tus-Resumable',
              'Location',
              'Upload-Offset',
              'Upload-Expires',
              'Flickr-Photo-Id',
              'Preference-Applied',
            ),
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/UploadResult' } },
            },
          },
          ...problems([...ANY, ...PIVOT, ...BYTES, 'not_found', 'upload_conflict', 'gone'], {
            404: 'A final upload names a partial upload the caller does not have',
          }),
        },
      },
    },
    [`${TUS_PATH}/{uploadId}`]: {
      options: { ...capabilities, operationId: 'tusUploadCapabilities', parameters: [UPLOAD_ID] },
      head: {
        operationId: 'tusOffset',
        summary: 'Where an upload stands',
        tags: ['uploads'],
        parameters: [UPLOAD_ID, TUS_RESUMABLE],
        responses: {
          '200': {
            description:
              'Its offset and length; a finished upload (until its record expires) answers its full length and its photo',
            ...headers(
              'Tus-Resumable',
              'Upload-Offset',
              'Upload-Length',
              'Upload-Defer-Length',
              'Upload-Expires',
              'Upload-Concat',
              'Upload-Metadata',
              'Flickr-Photo-Id',
              'Cache-Control',
            ),
          },
          ...problems([...ANY, 'not_found', 'gone']),
        },
      },
      patch: {
        operationId: 'tusAppend',
        summary: 'Append bytes at Upload-Offset; the last ones complete the upload',
        tags: ['uploads'],
        parameters: [
          UPLOAD_ID,
          TUS_RESUMABLE,
          requestHeader('Upload-Offset', 'Where these bytes start', integer, true),
          requestHeader('Upload-Length', 'A deferred length, declared now', integer),
          UPLOAD_CHECKSUM,
          PREFER,
        ],
        requestBody: {
          required: true,
          content: {
            'application/offset+octet-stream': { schema: { type: 'string', format: 'binary' } },
          },
        },
        responses: {
          '204': {
            description:
              'Bytes stored; when they were the last, the photo is recorded (`Flickr-Photo-Id`)',
            ...headers('Tus-Resumable', 'Upload-Offset', 'Upload-Expires', 'Flickr-Photo-Id'),
          },
          ...result(
            '200',
            'The upload is complete and its photo recorded (with `Prefer: return=representation`)',
            'Upload-Offset',
            'Flickr-Photo-Id',
            'Preference-Applied',
          ),
          ...problems(
            [...ANY, ...PIVOT, ...BYTES, 'forbidden', 'not_found', 'upload_conflict', 'gone'],
            {
              403: 'Also a PATCH to a final upload',
              409: 'The offset is not the server’s: `Upload-Offset` says where to go on',
            },
          ),
        },
      },
      delete: {
        operationId: 'tusTerminate',
        summary: 'Abandon an upload (termination)',
        tags: ['uploads'],
        parameters: [UPLOAD_ID, TUS_RESUMABLE],
        responses: {
          '204': { description: 'Removed', ...headers('Tus-Resumable') },
          ...problems([...ANY, 'not_found', 'upload_conflict']),
        },
      },
    },
  };
}
