import type Conf from 'conf';
import { UsageError } from '../exit-codes.ts';

/** One server and the credentials for it. */
export interface Profile {
  server: string;
  /** A session or API token; never printed. */
  token?: string;
  username?: string;
}

interface Stored {
  current?: string;
  profiles: Record<string, Profile>;
}

export const DEFAULT_PROFILE = 'default';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Profiles in the user's config folder (`FLICKR_CONFIG_DIR` moves it), in a
 * file only its owner can read: it holds tokens.
 */
export class ProfileStore {
  readonly #conf: Conf<Stored>;

  private constructor(conf: Conf<Stored>) {
    this.#conf = conf;
  }

  static async open(env: NodeJS.ProcessEnv = process.env): Promise<ProfileStore> {
    // conf is ESM only: a dynamic import keeps the CommonJS build loading it natively.
    const { default: Store } = await import('conf');
    return new ProfileStore(
      new Store<Stored>({
        projectName: 'flickr-cli',
        projectSuffix: '',
        configName: 'profiles',
        configFileMode: 0o600,
        defaults: { profiles: {} },
        ...(env.FLICKR_CONFIG_DIR ? { cwd: env.FLICKR_CONFIG_DIR } : {}),
      }),
    );
  }

  get path(): string {
    return this.#conf.path;
  }

  /** The profile in use: the one named, or `use`'s choice, or `default`. */
  currentName(): string {
    return this.#conf.get('current') ?? DEFAULT_PROFILE;
  }

  get(name: string): Profile | undefined {
    return this.#conf.get('profiles')[name];
  }

  all(): Record<string, Profile> {
    return this.#conf.get('profiles');
  }

  save(name: string, profile: Profile): void {
    if (!NAME.test(name))
      throw new UsageError(
        `profile names are letters, digits, '.', '_' and '-', up to 64: ${JSON.stringify(name)}`,
      );
    this.#conf.set('profiles', { ...this.all(), [name]: profile });
  }

  use(name: string): void {
    if (!this.get(name))
      throw new UsageError(`no profile named ${name}; see \`flickr-cli profiles\``);
    this.#conf.set('current', name);
  }

  remove(name: string): boolean {
    const { [name]: removed, ...rest } = this.all();
    if (!removed) return false;
    this.#conf.set('profiles', rest);
    if (this.#conf.get('current') === name) this.#conf.delete('current');
    return true;
  }
}
