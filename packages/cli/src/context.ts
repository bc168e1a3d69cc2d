import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { FileUploadStateStore, FlickrClient } from '@flickr-kit/sdk';
import { cacheDir } from './config/paths.ts';
import { type Profile, ProfileStore } from './config/profiles.ts';
import { CliError, ExitCode, UsageError } from './exit-codes.ts';
import { createReporter, type Reporter } from './output/reporter.ts';
import { CLI_VERSION } from './version.ts';

/** Options every command takes (see program.ts). */
export interface GlobalOptions {
  server?: string;
  profile?: string;
  json?: boolean;
  verbose?: boolean;
}

export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * What a command runs with: where its server is and who it is there (from
 * flags, then `FLICKR_SERVER` / `FLICKR_TOKEN` / `FLICKR_PROFILE`, then the
 * saved profile), the output streams, and the signal Ctrl-C aborts.
 */
export class CliContext {
  readonly io: Io;
  readonly globals: GlobalOptions;
  readonly signal: AbortSignal;
  readonly profiles: ProfileStore;
  #clients: FlickrClient[] = [];
  #me: Promise<string> | undefined;

  private constructor(io: Io, globals: GlobalOptions, signal: AbortSignal, profiles: ProfileStore) {
    this.io = io;
    this.globals = globals;
    this.signal = signal;
    this.profiles = profiles;
  }

  static async create(io: Io, globals: GlobalOptions, signal: AbortSignal): Promise<CliContext> {
    return new CliContext(io, globals, signal, await ProfileStore.open(io.env));
  }

  get json(): boolean {
    return Boolean(this.globals.json);
  }

  profileName(): string {
    return this.globals.profile ?? this.io.env.FLICKR_PROFILE ?? this.profiles.currentName();
  }

  profile(): Profile | undefined {
    return this.profiles.get(this.profileName());
  }

  /** The server URL, or a usage error that says how to give one. */
  server(explicit?: string): string {
    const url =
      explicit ?? this.globals.server ?? this.io.env.FLICKR_SERVER ?? this.profile()?.server;
    if (!url)
      throw new UsageError(
        'no server: pass --server URL, set FLICKR_SERVER, or run `flickr-cli login --server URL`',
      );
    return normalizeServer(url);
  }

  token(): string | undefined {
    return this.io.env.FLICKR_TOKEN || this.profile()?.token;
  }

  /** A client for the server; signed in unless `anonymous`, failing with exit 3 when there is no token. */
  client(options: { anonymous?: boolean; server?: string; token?: string } = {}): FlickrClient {
    const token = options.token ?? (options.anonymous ? undefined : this.token());
    if (!options.anonymous && !token)
      throw new CliError(
        'not signed in: run `flickr-cli login` or set FLICKR_TOKEN',
        ExitCode.authentication,
      );
    const client = new FlickrClient({
      baseUrl: this.server(options.server),
      token,
      userAgent: `flickr-cli/${CLI_VERSION}`,
      uploadStateStore: new FileUploadStateStore(join(cacheDir(this.io.env), 'uploads')),
    });
    this.#clients.push(client);
    return client;
  }

  /** The signed-in user's name, asked once. */
  me(client: FlickrClient): Promise<string> {
    this.#me ??= client.auth.whoami({ signal: this.signal }).then((answer) => answer.user.username);
    return this.#me;
  }

  reporter(command: string): Promise<Reporter> {
    return createReporter({
      command,
      json: this.json,
      verbose: Boolean(this.globals.verbose),
      stdout: this.io.stdout,
      stderr: this.io.stderr,
      env: this.io.env,
    });
  }

  /** Writes a result: the text on a terminal or pipe, the value as one JSON line with `--json`. */
  print(text: string | (() => string), value: unknown): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(value)}\n`);
    else this.io.stdout.write(`${typeof text === 'function' ? text() : text}\n`);
  }

  async close(): Promise<void> {
    await Promise.all(this.#clients.map((client) => client.close()));
  }
}

/** `localhost:8080` → `http://localhost:8080`; a trailing slash dropped. */
export function normalizeServer(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new UsageError(`not a server URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`the server URL must be http or https: ${url}`);
  return parsed.toString().replace(/\/$/, '');
}
