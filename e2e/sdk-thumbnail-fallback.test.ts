// The client's renderer fails (as a buggy sharp build or a full disk would):
// the upload goes on without a client thumbnail, and the server renders it.
// By path: e2e does not depend on thumbnail-core, but mocks the very module the SDK and server resolve.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderRenditions } from '../packages/thumbnail-core/src/index.ts';
import { photo, type RealServer, startRealServer } from './real-server.ts';

vi.mock('../packages/thumbnail-core/src/index.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../packages/thumbnail-core/src/index.ts')>();
  return { ...original, renderRenditions: vi.fn(original.renderRenditions) };
});

describe('client-side thumbnails', () => {
  let server: RealServer;
  beforeAll(async () => {
    server = await startRealServer();
  });
  afterAll(async () => {
    await server.destroy();
  });

  it('falls back to the server when rendering fails on the client', async () => {
    const client = await server.client();
    const bytes = await photo(201);
    // The next render is the client's: the server renders only after the upload.
    vi.mocked(renderRenditions).mockRejectedValueOnce(new Error('vips: out of memory'));
    const result = await client.uploads.uploadFile(bytes);
    expect(result.status).toBe('uploaded');
    if (result.status !== 'uploaded') return;
    expect(result.clientThumbnail).toBe('absent');
    const ready = await client.photos.waitUntilReady(result.photo.id);
    expect(ready.renditions.find((r) => r.name === 'thumbnail')?.renderedBy).toBe('server');
    await client.close();
  });
});
