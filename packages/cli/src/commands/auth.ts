import { type Command, Option } from 'commander';
import type { CliContext } from '../context.ts';
import { normalizeServer } from '../context.ts';
import { UsageError } from '../exit-codes.ts';
import { ask, readStdin } from '../prompt.ts';
import { examples, type Wrap } from './define.ts';

interface SignInOptions {
  username?: string;
  passwordStdin?: boolean;
  token?: string;
}

/** register, login, logout, whoami. */
export function authCommands(program: Command, wrap: Wrap): void {
  const signIn =
    (kind: 'login' | 'register') => async (context: CliContext, options: SignInOptions) => {
      const given =
        context.globals.server ?? context.io.env.FLICKR_SERVER ?? context.profile()?.server;
      if (!given)
        throw new UsageError(`${kind} needs a server: pass --server URL or set FLICKR_SERVER`);
      const server = normalizeServer(given);
      const name = context.profileName();
      if (options.token) {
        if (kind === 'register')
          throw new UsageError('register takes a username and password, not --token');
        const client = context.client({ server, token: options.token });
        const me = await client.auth.whoami({ signal: context.signal });
        context.profiles.save(name, { server, token: options.token, username: me.user.username });
        if (!context.profiles.all()[context.profiles.currentName()]) context.profiles.use(name);
        context.print(
          `signed in to ${server} as ${me.user.username} with API token "${me.token.name}" (profile ${name})`,
          {
            server,
            profile: name,
            username: me.user.username,
          },
        );
        return undefined;
      }
      const username =
        options.username ?? (await ask(context.io, 'username: ', { flag: '--username' }));
      const password = options.passwordStdin
        ? await readStdin(context.io)
        : await ask(context.io, 'password: ', { secret: true, flag: '--password-stdin' });
      const client = context.client({ server, anonymous: true });
      const session =
        kind === 'login'
          ? await client.auth.login(username, password, { signal: context.signal })
          : await client.auth.register(username, password, { signal: context.signal });
      context.profiles.save(name, {
        server,
        token: session.token,
        username: session.user.username,
      });
      if (!context.profiles.all()[context.profiles.currentName()]) context.profiles.use(name);
      context.print(
        `${kind === 'login' ? 'signed in to' : 'registered at'} ${server} as ${session.user.username} (profile ${name})`,
        { server, profile: name, username: session.user.username },
      );
      return undefined;
    };

  const username = () =>
    new Option('-u, --username <name>', 'asked for on a terminal when left out');
  const passwordStdin = () =>
    new Option(
      '--password-stdin',
      'read the password from stdin (for scripts); asked for on a terminal otherwise',
    );

  examples(
    program
      .command('register')
      .description('create an account on a server and sign in to it')
      .addOption(username())
      .addOption(passwordStdin())
      .action(wrap(signIn('register'))),
    [
      'flickr-cli register --server http://127.0.0.1:8080 --username alice',
      'printf \'%s\' "$PASSWORD" | flickr-cli register -s http://127.0.0.1:8080 -u ci-bot --password-stdin',
    ],
  );

  examples(
    program
      .command('login')
      .description('sign in and save the server and token in the current profile')
      .addOption(username())
      .addOption(passwordStdin().conflicts('token'))
      .addOption(
        new Option(
          '-t, --token <token>',
          'use an API token (from `flickr-cli tokens create`) instead of a password',
        ),
      )
      .action(wrap(signIn('login'))),
    [
      'flickr-cli login --server http://127.0.0.1:8080 --username alice',
      'flickr-cli --profile ci login --server https://photos.example.com --token "$FLICKR_API_TOKEN"',
    ],
  );

  examples(
    program
      .command('logout')
      .description('forget the saved token; a session token is revoked on the server too')
      .action(
        wrap(async (context) => {
          const name = context.profileName();
          const profile = context.profile();
          if (!profile?.token) {
            context.print(`profile ${name} is not signed in`, { profile: name, signedIn: false });
            return undefined;
          }
          let revoked = false;
          let warning: string | undefined;
          try {
            const client = context.client({ token: profile.token, server: profile.server });
            const me = await client.auth.whoami({ signal: context.signal });
            // An API token outlives the laptop that used it only if its owner says so: revoke sessions only.
            if (me.token.kind === 'session') {
              await client.auth.logout({ signal: context.signal });
              revoked = true;
            }
          } catch (error) {
            warning = `could not revoke the token on the server (${(error as Error).message}); forgot it here`;
          }
          const { token: _forgotten, ...rest } = profile;
          context.profiles.save(name, rest);
          if (warning) context.io.stderr.write(`flickr-cli: warning: ${warning}\n`);
          context.print(`signed out of ${profile.server} (profile ${name})`, {
            profile: name,
            revoked,
          });
          return undefined;
        }),
      ),
    ['flickr-cli logout', 'flickr-cli --profile ci logout'],
  );

  examples(
    program
      .command('whoami')
      .description('who the current token signs in as, where, and with which scopes')
      .action(
        wrap(async (context) => {
          const client = context.client();
          const me = await client.auth.whoami({ signal: context.signal });
          const server = context.server();
          context.print(
            () =>
              `${me.user.username}${me.user.isAdmin ? ' (admin)' : ''} on ${server}, profile ${context.profileName()}, ${me.token.kind} token "${me.token.name}" with ${me.token.scopes.join(', ')}`,
            { server, profile: context.profileName(), user: me.user, token: me.token },
          );
          return undefined;
        }),
      ),
    [
      'flickr-cli whoami',
      'FLICKR_TOKEN=… FLICKR_SERVER=https://photos.example.com flickr-cli whoami --json',
    ],
  );
}
