// The S3-compatible server of the tests, run by test/s3-server.ts in a process
// of its own: fauxqs's S3 (objects in memory) on 127.0.0.1 and a free port,
// plus ListMultipartUploads, which fauxqs lacks. Prints its endpoint as one
// JSON line on standard output; exits when standard input closes, so it
// never outlives the test process that started it.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';

/** A multipart upload in progress, as fauxqs's S3 store keeps it. */
interface MultipartUpload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: Date;
}
type Stores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;

// fauxqs exports only its app; its store classes are reached by file, as the
// app itself reaches them. The version is pinned by the lockfile.
const dist = dirname(fileURLToPath(import.meta.resolve('fauxqs')));
async function load<T>(path: string, name: string): Promise<new () => T> {
  const module = (await import(pathToFileURL(join(dist, path)).href)) as Record<string, unknown>;
  return module[name] as new () => T;
}
const S3Store = await load<Stores['s3Store']>('s3/s3Store.js', 'S3Store');
const SqsStore = await load<Stores['sqsStore']>('sqs/sqsStore.js', 'SqsStore');
const SnsStore = await load<Stores['snsStore']>('sns/snsStore.js', 'SnsStore');
const stores: Stores = {
  s3Store: new S3Store(),
  sqsStore: new SqsStore(),
  snsStore: new SnsStore(),
};
// Private in the store's types; read here, never written.
const { multipartUploads } = stores.s3Store as unknown as {
  multipartUploads: Map<string, MultipartUpload>;
};

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * ListMultipartUploads (`GET /<bucket>?uploads`) as S3 answers it: uploads
 * in key and upload-id order, after the markers, under the prefix, a page
 * of `max-uploads` at most.
 */
function listMultipartUploads(bucket: string, query: URLSearchParams): string {
  const prefix = query.get('prefix') ?? '';
  const keyMarker = query.get('key-marker') ?? '';
  const uploadIdMarker = query.get('upload-id-marker') ?? '';
  const maxUploads = Math.min(Number(query.get('max-uploads') ?? 1000), 1000);
  const uploads = [...multipartUploads.values()]
    .filter((upload) => upload.bucket === bucket && upload.key.startsWith(prefix))
    .filter(
      (upload) =>
        upload.key > keyMarker ||
        (upload.key === keyMarker && uploadIdMarker !== '' && upload.uploadId > uploadIdMarker),
    )
    .sort((a, b) =>
      a.key === b.key ? a.uploadId.localeCompare(b.uploadId) : a.key < b.key ? -1 : 1,
    );
  const page = uploads.slice(0, maxUploads);
  const truncated = uploads.length > page.length;
  const last = page.at(-1);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Bucket>${escapeXml(bucket)}</Bucket>`,
    `<KeyMarker>${escapeXml(keyMarker)}</KeyMarker>`,
    `<UploadIdMarker>${escapeXml(uploadIdMarker)}</UploadIdMarker>`,
    truncated && last ? `<NextKeyMarker>${escapeXml(last.key)}</NextKeyMarker>` : '',
    truncated && last ? `<NextUploadIdMarker>${last.uploadId}</NextUploadIdMarker>` : '',
    `<Prefix>${escapeXml(prefix)}</Prefix>`,
    `<MaxUploads>${maxUploads}</MaxUploads>`,
    `<IsTruncated>${truncated}</IsTruncated>`,
    ...page.map(
      (upload) =>
        `<Upload><Key>${escapeXml(upload.key)}</Key><UploadId>${upload.uploadId}</UploadId>` +
        `<Initiated>${upload.initiated.toISOString()}</Initiated>` +
        '<StorageClass>STANDARD</StorageClass></Upload>',
    ),
    '</ListMultipartUploadsResult>',
  ].join('');
}

const app = buildApp({ logger: false, stores });
app.addHook('onRequest', async (request, reply) => {
  const url = new URL(request.url, 'http://localhost');
  const bucket = /^\/([^/]+)\/?$/.exec(url.pathname)?.[1];
  if (request.method !== 'GET' || !bucket || !url.searchParams.has('uploads')) return;
  reply.header('content-type', 'application/xml');
  return reply.send(listMultipartUploads(decodeURIComponent(bucket), url.searchParams));
});
const endpoint = await app.listen({ host: '127.0.0.1', port: 0 });

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void app.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop).on('close', stop).resume();
process.on('SIGTERM', stop);
process.stdout.write(`${JSON.stringify({ endpoint })}\n`);
