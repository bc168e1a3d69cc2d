// What a user's photos look like through the API after an upload by a
// third-party client: the photo a finished upload named, once it is ready,
// and how many photos the user has in all.
import type { Photo } from '@flickr-kit/sdk/contract';
import { type Caller, callApi } from '../api-calls.ts';
import { eventually } from '../harness.ts';

/** Waits until the photo's saga has finished, and returns it as its owner sees it. */
export function readyPhoto(baseUrl: string, owner: Caller, id: string): Promise<Photo> {
  return eventually(
    async () => {
      const { body } = await callApi<Photo>(baseUrl, owner, 'GET', `/v1/photos/${id}`);
      if (body.status === 'failed') throw new Error(`photo ${id} failed: ${body.statusReason}`);
      return body.status === 'ready' ? body : undefined;
    },
    30_000,
    `photo ${id} ready`,
  );
}

/** The ids of every photo the user has. */
export async function photoIdsOf(
  baseUrl: string,
  owner: Caller & { username: string },
): Promise<string[]> {
  const { body } = await callApi<{ items: { id: string }[] }>(
    baseUrl,
    owner,
    'GET',
    `/v1/users/${owner.username}/photos?limit=100`,
  );
  return body.items.map((photo) => photo.id);
}
