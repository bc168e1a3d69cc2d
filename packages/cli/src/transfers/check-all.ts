import { type CheckHashesResponse, type FlickrClient, MAX_HASHES_PER_CHECK } from '@flickr-kit/sdk';

/** A hash the server already has: its photo, and that photo's status. */
export type KnownHash = CheckHashesResponse['existing'][number];

/**
 * Asks the server which of these hashes (each asked once) the caller already
 * has, in dedup checks of at most `perCheck` hashes: the server's advertised
 * `maxHashesPerCheck` where the caller has it, else the contract's maximum.
 */
export async function checkAll(
  client: FlickrClient,
  hashes: Iterable<string>,
  signal: AbortSignal,
  perCheck: number = MAX_HASHES_PER_CHECK,
): Promise<KnownHash[]> {
  const unique = [...new Set(hashes)];
  const known: KnownHash[] = [];
  for (let start = 0; start < unique.length; start += perCheck) {
    const { existing } = await client.uploads.check(unique.slice(start, start + perCheck), {
      signal,
    });
    known.push(...existing);
  }
  return known;
}
