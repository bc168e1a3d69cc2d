import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type DeleteAccountRequest, deleteAccount } from '../contract/account-deletion.ts';
import { exportAccount } from '../contract/account-export.ts';
import type { RequestOptions, Transport } from '../core/transport.ts';
import { FlickrError } from '../errors.ts';

/** How long an export may take to stream, unless a call says otherwise: as long as a download. */
const EXPORT_TIMEOUT_MS = 10 * 60_000;

/** Your account as a whole: your data, exported, and deleting the account. */
export class Account {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Deletes your account for good: every token is revoked, everything of
   * yours is unreachable at once, the files are purged on the server's
   * schedule. Needs a token with the `delete` scope and the password again.
   * A wrong password is an `AuthenticationError` (`invalid_credentials`) and
   * deletes nothing. Once deleted, the token no longer works: a retry after
   * a lost answer hears 401, which then means the deletion went through.
   *
   * @example
   * await client.account.delete({ password: process.env.FLICKR_PASSWORD ?? '' });
   */
  delete(request: DeleteAccountRequest, options?: RequestOptions) {
    return this.#transport.call(deleteAccount, { body: request }, options);
  }

  /**
   * Your data as one validated document (`AccountExport`): profile,
   * settings, albums, photo metadata, comments, favorites, follows and
   * shares; not the files (`downloadMany`, or `flickr-cli sync pull
   * --sidecars`). It is held in memory whole: for a large account, write
   * {@link exportStream} to a file instead.
   */
  export(options?: RequestOptions) {
    return this.#transport.call(
      exportAccount,
      {},
      {
        ...options,
        timeout: options?.timeout ?? EXPORT_TIMEOUT_MS,
      },
    );
  }

  /**
   * The export's JSON text as the server streams it, a chunk at a time and
   * unparsed, so memory stays flat whatever the account's size. A connection
   * cut short ends the iteration with an error, never with a truncated
   * document that looks complete.
   *
   * @example
   * await pipeline(await client.account.exportStream(), createWriteStream('export.json'));
   */
  async exportStream(options?: RequestOptions): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.#transport.send(
      exportAccount.path,
      { method: exportAccount.method },
      { ...options, timeout: options?.timeout ?? EXPORT_TIMEOUT_MS },
    );
    if (!response.body) throw new FlickrError('The export has no body');
    return response.body as WebReadableStream<Uint8Array>;
  }
}
