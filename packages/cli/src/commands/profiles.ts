import type { Command } from 'commander';
import { examples, type Wrap } from './define.ts';

/** profiles: several servers or accounts side by side. */
export function profileCommands(program: Command, wrap: Wrap): void {
  const profiles = examples(
    program
      .command('profiles')
      .description('list saved profiles (a server and a token each); the current one is marked *')
      .action(
        wrap(async (context) => {
          const current = context.profileName();
          const all = Object.entries(context.profiles.all()).map(([name, profile]) => ({
            name,
            server: profile.server,
            username: profile.username ?? null,
            signedIn: Boolean(profile.token),
            current: name === current,
          }));
          if (context.json) {
            for (const profile of all) context.print('', profile);
          } else if (all.length === 0) {
            context.print('no profiles yet: run `flickr-cli login --server URL`', null);
          } else {
            for (const p of all)
              context.print(
                `${p.current ? '*' : ' '} ${p.name}  ${p.server}  ${p.username ?? '-'}${p.signedIn ? '' : ' (signed out)'}`,
                p,
              );
          }
          return undefined;
        }),
      ),
    [
      'flickr-cli profiles',
      'flickr-cli profiles use work',
      'flickr-cli --profile work login -s https://photos.example.com',
    ],
  );

  examples(
    profiles
      .command('use')
      .description('make a profile the current one')
      .argument('<name>', 'a profile from `flickr-cli profiles`')
      .action(
        wrap(async (context, name: string) => {
          context.profiles.use(name);
          context.print(`now using profile ${name}`, { profile: name });
          return undefined;
        }),
      ),
    ['flickr-cli profiles use work'],
  );

  examples(
    profiles
      .command('rm')
      .description('forget a profile and its token (the token stays valid on the server)')
      .argument('<name>', 'a profile from `flickr-cli profiles`')
      .action(
        wrap(async (context, name: string) => {
          const removed = context.profiles.remove(name);
          context.print(removed ? `removed profile ${name}` : `no profile named ${name}`, {
            profile: name,
            removed,
          });
          return undefined;
        }),
      ),
    ['flickr-cli profiles rm old-laptop'],
  );
}
