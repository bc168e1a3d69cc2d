import { type Location, LocationVisibility } from '@flickr-kit/sdk';
import { Argument, type Command, InvalidArgumentError } from 'commander';
import { examples, type Wrap } from './define.ts';

/**
 * `--location LAT,LON`: decimal degrees, latitude first, as maps copy them
 * (`48.8584, 2.2945`); refused with what was wrong, before any request.
 */
export function coordinates(value: string): Location {
  const parts = value.split(',').map((part) => part.trim());
  const [latitude, longitude] = parts.map((part) => (part === '' ? Number.NaN : Number(part)));
  if (parts.length !== 2 || !Number.isFinite(latitude) || !Number.isFinite(longitude))
    throw new InvalidArgumentError(
      `--location must be LAT,LON in decimal degrees (e.g. 48.8584,2.2945), got ${value}`,
    );
  if (Math.abs(latitude as number) > 90)
    throw new InvalidArgumentError(`latitude must be from -90 to 90, got ${latitude}`);
  if (Math.abs(longitude as number) > 180)
    throw new InvalidArgumentError(`longitude must be from -180 to 180, got ${longitude}`);
  return { latitude: latitude as number, longitude: longitude as number };
}

/** What each level means, for help and output. */
export const LEVELS: Record<LocationVisibility, string> = {
  owner: 'only you',
  shared: 'you and the people you share your photos with',
  anyone: 'everyone who may see the photo',
};

/** location default: who sees the location of your photos that do not say otherwise. */
export function locationCommands(program: Command, wrap: Wrap): void {
  const location = program
    .command('location')
    .description('who sees where your photos were taken (set one photo’s with `photos edit`)');
  examples(
    location
      .command('default')
      .description(
        'who sees the location of each of your photos that has no setting of its own: shows it, or sets it (old photos too)',
      )
      .addArgument(
        new Argument(
          '[level]',
          'owner (only you), shared (and those you share with) or anyone',
        ).choices(LocationVisibility.options),
      )
      .action(
        wrap(async (context, level: LocationVisibility | undefined) => {
          const client = context.client();
          const settings =
            level === undefined
              ? await client.settings.get({ signal: context.signal })
              : await client.settings.update(
                  { locationVisibilityDefault: level },
                  { signal: context.signal },
                );
          const chosen = settings.locationVisibilityDefault;
          context.print(
            `your photos’ locations are shown to ${LEVELS[chosen]} (${chosen}), unless a photo says otherwise; others get originals without GPS`,
            settings,
          );
          return undefined;
        }),
      ),
    ['flickr-cli location default', 'flickr-cli location default owner'],
  );
}
