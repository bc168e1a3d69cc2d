// One scenario every third-party client goes through: the server dies with
// SIGKILL in the middle of its upload and comes back on the same port, data
// folder and database, and the client, left to its own retry logic, must go
// on from what the server kept rather than from the start.

import type * as tus from 'tus-js-client';
import { expect } from 'vitest';
import { eventually } from '../harness.ts';
import type { KillableServer } from './killable-server.ts';
import { startTcpProxy } from './tcp-proxy.ts';

/** Room for the request lines and headers a session sends besides the file's bytes. */
export const HEADER_BYTES = 16 * 1024;

/** A request a client sent, as its `onBeforeRequest` hook saw it. */
export interface SentRequest {
  method: string;
  url: string;
  offset: number | undefined;
  concat: string | undefined;
}

export function sentRequest(request: tus.HttpRequest): SentRequest {
  const offset = request.getHeader('Upload-Offset');
  return {
    method: request.getMethod(),
    url: request.getURL(),
    offset: offset === undefined ? undefined : Number(offset),
    concat: request.getHeader('Upload-Concat'),
  };
}

/** A client's upload under way: the requests it sent so far, and how it ends. */
export interface ClientSession<T> {
  requests: SentRequest[];
  finished: Promise<T>;
}

export interface KilledRun<T> {
  /** How the client's session ended. */
  done: T;
  /** What the killed server had on disk of each upload (by id) when it died. */
  kept: Map<string, number>;
  keptInAll: number;
  /** The requests the client sent before the kill, and after it. */
  before: SentRequest[];
  after: SentRequest[];
  /** Every byte the client sent the restarted server (requests and bodies). */
  bytesAfterRestart: number;
}

/** The upload id at the end of an upload URL. */
export const uploadIdOf = (url: string) => url.split('/').at(-1) as string;

/**
 * Asserts that a client cut off mid-way through one PATCH resumed it: it
 * asked where the upload stood (again, if its first try met the dying
 * server's listener) and sent only the rest, from the offset kept.
 */
export function expectResumedOnce<T>(run: KilledRun<T>, size: number): void {
  expect(run.before.map((r) => r.method)).toEqual(['POST', 'PATCH']);
  const url = run.before[1]?.url as string;
  const kept = run.kept.get(uploadIdOf(url)) ?? 0;
  expect(kept).toBeGreaterThan(size / 2 - HEADER_BYTES);
  expect(kept).toBeLessThan(size);
  const resumed = run.after.map((r) => [r.method, r.url, r.offset]);
  expect(resumed.at(-1)).toEqual(['PATCH', url, kept]);
  for (const head of resumed.slice(0, -1)) expect(head).toEqual(['HEAD', url, undefined]);
  expect(resumed.length).toBeGreaterThan(1);
  expect(run.bytesAfterRestart).toBeGreaterThanOrEqual(size - kept);
  expect(run.bytesAfterRestart).toBeLessThan(size - kept + HEADER_BYTES);
}

/**
 * Starts a client session through a proxy that lets each of `connections`
 * send `bytesEach` bytes and holds the rest; once the server has written
 * them, kills it, starts it again, and waits for the client to finish by
 * itself.
 */
export async function killMidUpload<T>(
  server: KillableServer,
  start: (baseUrl: string) => ClientSession<T>,
  hold: { connections: number; bytesEach: number },
): Promise<KilledRun<T>> {
  const proxy = await startTcpProxy(server.port);
  try {
    const before = await server.staged();
    const stagedNow = async () =>
      new Map([...(await server.staged())].filter(([id]) => !before.has(id)));

    proxy.holdEachAfter(hold.bytesEach);
    const session = start(proxy.url);
    // Until the server has written what each upload was let send (less the requests' headers).
    await eventually(
      async () => {
        const staged = [...(await stagedNow()).values()];
        const written = staged.filter((bytes) => bytes >= hold.bytesEach - HEADER_BYTES);
        return proxy.holding() === hold.connections && written.length === hold.connections
          ? true
          : undefined;
      },
      10_000,
      'the bytes let through on disk',
    );
    const requestsBeforeKill = session.requests.length;
    await server.kill();
    const kept = await stagedNow();
    // What the proxy still held for the dead connections is gone with them.
    await proxy.serverConnectionsClosed();
    proxy.resetCount();
    proxy.release();
    await server.restart();

    const done = await session.finished;
    return {
      done,
      kept,
      keptInAll: [...kept.values()].reduce((sum, bytes) => sum + bytes, 0),
      before: session.requests.slice(0, requestsBeforeKill),
      after: session.requests.slice(requestsBeforeKill),
      bytesAfterRestart: proxy.forwardedBytes(),
    };
  } finally {
    await proxy.close();
  }
}
