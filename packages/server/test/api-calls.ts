// Calls to a test server's JSON API, as a signed-in user or anonymously, and
// the ready photo most reading tests start from.
import type { Photo } from '@flickr-kit/sdk/contract';
import { eventually } from './harness.ts';
import { testPhoto, uploadPhoto } from './uploads.ts';

/** A caller of the API: a registered user's token. */
export interface Caller {
  token: string;
}

/** An answer: its status, its JSON body (undefined when empty) and its headers. */
export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** Sends `body` as JSON, with the caller's token when there is a caller. */
export async function callApi<T = Record<string, unknown> & Photo>(
  baseUrl: string,
  caller: Caller | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(caller ? { authorization: `Bearer ${caller.token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

/** Uploads the test photo of `seed` with this metadata, and waits until the API shows it ready. */
export async function readyPhoto(
  baseUrl: string,
  owner: Caller,
  seed: number,
  metadata: Record<string, string> = {},
): Promise<Photo> {
  const { photo } = await uploadPhoto(baseUrl, await testPhoto(seed), {
    token: owner.token,
    metadata,
  });
  return eventually(async () => {
    const { body } = await callApi(baseUrl, owner, 'GET', `/v1/photos/${photo.id}`);
    return body.status === 'ready' ? body : undefined;
  });
}
