import { operations, TUS_PATH } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

interface OpenApiDocument {
  openapi: string;
  servers: { url: string }[];
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        description?: string;
        parameters?: { name: string; in: string }[];
        responses: Record<string, unknown>;
      }
    >
  >;
  components: { schemas: Record<string, unknown> };
}

describe('GET /openapi.json', () => {
  let server: TestServer;
  let document: OpenApiDocument;

  beforeAll(async () => {
    server = await startTestServer();
    document = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDocument;
  });
  afterAll(() => server.destroy());

  it('is an OpenAPI 3.1 document with every operation of the contract', () => {
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    for (const id of Object.keys(operations)) expect(documented).toContain(id);
    expect(documented).toEqual(
      expect.arrayContaining(['tusCreate', 'tusAppend', 'tusOffset', 'tusTerminate']),
    );
  });

  it('says where the API is: relative to the document, or at FLICKR_PUBLIC_URL, the CDN tier at FLICKR_CDN_URL', async () => {
    const cdnPath = '/cdn/{user}/{album}/{resolution}/{file}';
    expect(document.servers.map((s) => s.url)).toEqual(['/']);
    expect(document.paths[cdnPath]).not.toHaveProperty('servers');
    const proxied = await startTestServer({
      FLICKR_PUBLIC_URL: 'https://photos.example.org/',
      FLICKR_CDN_URL: 'https://cdn.photos.example.org',
    });
    try {
      // Its url is the public one, which does not resolve here: ask the app itself.
      const answer = await proxied.app?.inject({ method: 'GET', url: '/openapi.json' });
      const served = answer?.json() as OpenApiDocument & {
        paths: Record<string, { servers?: { url: string }[] }>;
      };
      expect(served.servers.map((s) => s.url)).toEqual(['https://photos.example.org']);
      expect(served.paths[cdnPath]?.servers?.map((s) => s.url)).toEqual([
        'https://cdn.photos.example.org',
      ]);
    } finally {
      await proxied.destroy();
    }
  });

  it('documents problem responses by their schema', () => {
    const login = document.paths['/v1/auth/login']?.post;
    expect(Object.keys(login?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '429', '500']),
    );
    expect(document.components.schemas.Problem).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['code', 'requestId']),
    });
  });

  it('is served for every route the server registers: each contract operation answers on its path', async () => {
    for (const operation of Object.values(operations)) {
      const path = operation.path.replace(':id', '00000000-0000-7000-8000-000000000000');
      const response = await fetch(`${server.url}${path}`, { method: operation.method });
      // Whatever the status, the route exists: an unknown route is a 404 naming the route.
      const body = response.status === 204 ? {} : ((await response.json()) as { detail?: string });
      expect(body.detail ?? '', `${operation.method} ${operation.path}`).not.toMatch(/^No route/);
    }
  });

  it('documents the CDN tier: its path, signature, conditional and range requests, and problems', async () => {
    const cdn = document.paths['/cdn/{user}/{album}/{resolution}/{file}']?.get;
    expect(cdn?.operationId).toBe('cdnFile');
    expect(cdn?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:user',
      'path:album',
      'path:resolution',
      'path:file',
      'query:v',
      'query:e',
      'query:s',
      'header:Range',
      'header:If-None-Match',
    ]);
    expect(Object.keys(cdn?.responses ?? {}).sort()).toEqual(
      ['200', '206', '304', '403', '404', '416', '429'].sort(),
    );
  });

  it('advertises exactly the tus extensions it documents', async () => {
    const options = await fetch(`${server.url}${TUS_PATH}/`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    const extensions = (options.headers.get('tus-extension') ?? '').split(',');
    expect(extensions.sort()).toEqual(
      [
        'checksum',
        'concatenation',
        'creation',
        'creation-defer-length',
        'creation-with-upload',
        'expiration',
        'termination',
      ].sort(),
    );
    expect(options.headers.get('tus-checksum-algorithm')).toBe('md5,sha1,sha256');
    const tus = document.paths[TUS_PATH]?.post?.description ?? '';
    for (const extension of extensions) expect(tus).toContain(extension);
  });

  it('documents the tus routes with the statuses they answer, on paths without a trailing slash', () => {
    expect(Object.keys(document.paths).filter((path) => path.endsWith('/'))).toEqual([]);
    const upload = document.paths[`${TUS_PATH}/{uploadId}`];
    expect(Object.keys(upload ?? {}).sort()).toEqual(['delete', 'head', 'options', 'patch']);
    expect(Object.keys(upload?.patch?.responses ?? {})).toEqual(
      expect.arrayContaining([
        '200',
        '204',
        '400',
        '403',
        '404',
        '409',
        '410',
        '412',
        '413',
        '415',
        '422',
        '429',
        '460',
      ]),
    );
    expect(upload?.head?.parameters?.map((p) => `${p.in}:${p.name}`)).toContain('path:uploadId');
    expect(Object.keys(document.paths[TUS_PATH]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '412', '413', '415', '422', '429', '460']),
    );
  });
});
