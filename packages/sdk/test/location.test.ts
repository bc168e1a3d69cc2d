// A photo's location and who sees it, through the SDK: what photos.update and
// settings.update send, what they answer, and the typed error of bad input.
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.ts';
import { BASE, ID, photoFixture, problem, testClient } from './msw-helpers.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('location', () => {
  it('sets a photo’s location and its visibility, and reads back what the owner sees', async () => {
    const sent: unknown[] = [];
    server.use(
      http.patch(`${BASE}/v1/photos/${ID}`, async ({ request }) => {
        sent.push(await request.json());
        return HttpResponse.json(
          photoFixture({
            location: { latitude: 48.8566, longitude: 2.3522 },
            locationPrivacy: { override: 'owner', effective: 'owner' },
          }),
        );
      }),
    );
    const photo = await testClient().photos.update(ID, {
      location: { latitude: 48.8566, longitude: 2.3522 },
      locationVisibility: 'owner',
    });
    expect(sent).toEqual([
      { location: { latitude: 48.8566, longitude: 2.3522 }, locationVisibility: 'owner' },
    ]);
    expect(photo.locationPrivacy).toEqual({ override: 'owner', effective: 'owner' });
  });

  it('clears a location with null', async () => {
    const sent: unknown[] = [];
    server.use(
      http.patch(`${BASE}/v1/photos/${ID}`, async ({ request }) => {
        sent.push(await request.json());
        return HttpResponse.json(photoFixture());
      }),
    );
    expect((await testClient().photos.update(ID, { location: null })).location).toBeNull();
    expect(sent).toEqual([{ location: null }]);
  });

  it('changes the account default', async () => {
    server.use(
      http.patch(`${BASE}/v1/me/settings`, async ({ request }) =>
        HttpResponse.json({
          commentsEnabledByDefault: true,
          ...((await request.json()) as object),
        }),
      ),
    );
    expect(await testClient().settings.update({ locationVisibilityDefault: 'anyone' })).toEqual({
      commentsEnabledByDefault: true,
      locationVisibilityDefault: 'anyone',
    });
  });

  it('raises ValidationError for coordinates the server refuses', async () => {
    server.use(
      http.patch(`${BASE}/v1/photos/${ID}`, () =>
        problem(
          400,
          'validation_failed',
          'body.location.latitude: Too big: expected number to be <=90',
        ),
      ),
    );
    const error = await testClient()
      .photos.update(ID, { location: { latitude: 91, longitude: 0 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('validation_failed');
  });
});
