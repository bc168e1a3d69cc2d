import type { Command } from 'commander';
import { UsageError } from '../exit-codes.ts';
import { examples, type Wrap } from './define.ts';

/** visibility: whether strangers see your photos at all. */
export function visibilityCommand(program: Command, wrap: Wrap): void {
  examples(
    program
      .command('visibility')
      .description(
        'show or set your profile’s visibility: private hides all your photos, public ones too, from everyone you have not shared with',
      )
      .argument('[setting]', 'public or private (default: show the current one)')
      .action(
        wrap(async (context, setting: string | undefined) => {
          if (setting !== undefined && setting !== 'public' && setting !== 'private')
            throw new UsageError(`visibility must be public or private, got ${setting}`);
          const profiles = context.client().profiles;
          const profile = setting
            ? await profiles.setVisibility(setting, { signal: context.signal })
            : await profiles.get({ signal: context.signal });
          context.print(`your profile is ${profile.visibility}`, profile);
          return undefined;
        }),
      ),
    ['flickr-cli visibility', 'flickr-cli visibility private'],
  );
}
