import { Agent, type Dispatcher, fetch as undiciFetch } from 'undici';
import { DEFAULT_MAX_RETRY_AFTER_MS } from './core/retry.ts';
import type { FetchFunction } from './core/transport.ts';
import { Transport } from './core/transport.ts';
import { Account } from './resources/account.ts';
import { Albums } from './resources/albums.ts';
import { Auth } from './resources/auth.ts';
import { Comments } from './resources/comments.ts';
import { Favorites } from './resources/favorites.ts';
import { Follows } from './resources/follows.ts';
import { Limits } from './resources/limits.ts';
import { Notifications } from './resources/notifications.ts';
import { Photos } from './resources/photos.ts';
import { Profiles } from './resources/profiles.ts';
import { Search } from './resources/search.ts';
import { Settings } from './resources/settings.ts';
import { Shares } from './resources/shares.ts';
import { Tokens } from './resources/tokens.ts';
import { Uploads } from './resources/uploads.ts';
import { FileUploadStateStore, type UploadStateStore } from './uploads/upload-state-store.ts';
import { SDK_VERSION } from './version.ts';

export interface ClientOptions {
  /** The server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** A session token from `auth.login` or an API token; anonymous without one. */
  token?: string | undefined;
  /** Per request attempt, in milliseconds (default 60 s). */
  timeout?: number;
  /** Retries of connection errors, 408, 429 and 5xx (default 2). */
  maxRetries?: number;
  /**
   * The longest `Retry-After` a call waits out before retrying, in
   * milliseconds (default 60 s). A longer one is not retried: the call
   * rejects at once with the server's error (a `RateLimitError` for a 429),
   * whose `retryAfterSeconds` says how long the server asked for.
   */
  maxRetryAfterMs?: number;
  /**
   * An undici `Dispatcher` (an `Agent`, `ProxyAgent`, `MockAgent`, …) for
   * every request, uploads included (default: a keep-alive `Agent` the
   * client owns). A dispatcher you pass is yours to close.
   */
  dispatcher?: Dispatcher;
  /**
   * A fetch implementation for every request, uploads included (default:
   * undici's fetch on `dispatcher`). Give `fetch` or `dispatcher`, not both.
   */
  fetch?: FetchFunction;
  /** Appended to the SDK's own User-Agent. */
  userAgent?: string;
  /** Where resumable uploads are remembered across processes (default: a folder in the user's cache). */
  uploadStateStore?: UploadStateStore;
}

/**
 * The flickr-kit client. Resources mirror the API; every method is typed
 * from the contract, validates what the server answers, retries what is
 * safe to retry and takes an `AbortSignal`.
 *
 * @example
 * const client = new FlickrClient({ baseUrl: 'http://127.0.0.1:8080', token: process.env.FLICKR_TOKEN });
 * const report = await client.uploads.uploadMany(['a.jpg', 'b.jpg']);
 */
export class FlickrClient {
  readonly auth: Auth;
  /** Your account as a whole: export your data, delete the account. */
  readonly account: Account;
  readonly tokens: Tokens;
  readonly limits: Limits;
  readonly photos: Photos;
  readonly albums: Albums;
  readonly shares: Shares;
  readonly comments: Comments;
  readonly favorites: Favorites;
  readonly settings: Settings;
  readonly search: Search;
  readonly uploads: Uploads;
  readonly profiles: Profiles;
  readonly follows: Follows;
  readonly notifications: Notifications;
  readonly options: Readonly<ClientOptions>;
  readonly #agent: Agent | undefined;

  constructor(options: ClientOptions) {
    this.options = options;
    if (options.fetch && options.dispatcher)
      throw new TypeError(
        'FlickrClient: give `fetch` or `dispatcher`, not both (a custom fetch chooses its own dispatcher)',
      );
    let fetch = options.fetch;
    if (!fetch) {
      if (!options.dispatcher)
        this.#agent = new Agent({ keepAliveTimeout: 10_000, connections: 32 });
      const dispatcher = options.dispatcher ?? (this.#agent as Agent);
      fetch = (input, init) =>
        undiciFetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
    }
    const transport = new Transport({
      baseUrl: options.baseUrl.replace(/\/$/, ''),
      token: options.token,
      timeout: options.timeout ?? 60_000,
      maxRetries: options.maxRetries ?? 2,
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
      fetch,
      userAgent: `flickr-sdk/${SDK_VERSION} node/${process.versions.node}${options.userAgent ? ` ${options.userAgent}` : ''}`,
    });
    this.auth = new Auth(transport);
    this.account = new Account(transport);
    this.tokens = new Tokens(transport);
    this.limits = new Limits(transport);
    this.photos = new Photos(transport, this.limits);
    this.albums = new Albums(transport);
    this.shares = new Shares(transport);
    this.comments = new Comments(transport);
    this.favorites = new Favorites(transport);
    this.settings = new Settings(transport);
    this.profiles = new Profiles(transport);
    this.follows = new Follows(transport);
    this.notifications = new Notifications(transport);
    this.search = new Search(transport);
    this.uploads = new Uploads({
      transport,
      limits: (options) => this.limits.get(options),
      state: options.uploadStateStore ?? new FileUploadStateStore(),
    });
  }

  /** A client for the same server with another token (after `auth.login`, say). */
  withToken(token: string): FlickrClient {
    return new FlickrClient({ ...this.options, token });
  }

  /** Closes pooled connections; the client is unusable afterwards. */
  async close(): Promise<void> {
    await this.#agent?.close();
  }
}
