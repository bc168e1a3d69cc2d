// Text that cannot be stored as written is refused, not altered: a NUL that
// PostgreSQL rejects and SQLite keeps, other control characters, and lone
// UTF-16 surrogates that UTF-8 cannot carry get 400 naming the field, on
// both databases. What is accepted reads back byte for byte.
import { randomUUID } from 'node:crypto';
import { type Album, type Photo, type Problem, TUS_PATH } from '@flickr-kit/sdk/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAnswer, callApi, readyPhoto } from './api-calls.ts';
import { registerUser, startTestServer, type TestServer } from './harness.ts';
import { expectProblem } from './problems.ts';
import { sha256, testPhoto, uploadPhoto } from './uploads.ts';

/** Characters no stored text may hold, by what they are. */
const NEVER = {
  NUL: '\u0000',
  ESC: '\u001b',
  DEL: '\u007f',
  'a C1 control': '\u0085',
  'a lone high surrogate': '\ud83d',
  'a lone low surrogate': '\ude00',
};
/** Characters only multi-line text (descriptions) may hold. */
const LINE_BREAKS = { 'a line feed': '\n', 'a carriage return': '\r', 'a tab': '\t' };

/** Text from many scripts, composed and decomposed, with emoji sequences: all of it must survive. */
const RICH = 'Ŝ̷ünrïse 🌅 富士山の朝 👩‍👩‍👧 e\u0301te\u0301 שלום ☃︎';

describe('stored text', () => {
  let server: TestServer;
  let owner: { token: string; username: string };
  let photo: Photo;
  let album: Album;

  const api = <T = Record<string, unknown> & Photo>(method: string, path: string, body?: unknown) =>
    callApi<T>(server.url, owner, method, path, body);
  const anonymous = (method: string, path: string, body?: unknown) =>
    callApi(server.url, undefined, method, path, body);

  /** Asserts a 400 validation_failed naming exactly this field. */
  async function expectRefused(answer: Promise<ApiAnswer<unknown>>, path: string) {
    const { status, body } = await answer;
    expect({ status, body }).toMatchObject({
      status: 400,
      body: {
        code: 'validation_failed',
        errors: expect.arrayContaining([expect.objectContaining({ path })]),
      },
    });
    expect((body as Problem).errors?.every((error) => error.path === path)).toBe(true);
  }

  beforeAll(async () => {
    // Every refused registration counts against the per-address limit of attempts.
    server = await startTestServer({ FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000' });
    owner = await registerUser(server.url);
    // Ready, so that nothing but these requests could change it.
    photo = await readyPhoto(server.url, owner, 901);
    album = (await api<Album>('POST', '/v1/albums', { name: 'Kept' })).body;
  });
  afterAll(() => server.destroy());

  describe('refuses, naming the field', () => {
    const single = Object.entries({ ...NEVER, ...LINE_BREAKS });
    const multi = Object.entries(NEVER);

    it.each(single)('%s in a photo title or tag', async (_what, char) => {
      await expectRefused(
        api('PATCH', `/v1/photos/${photo.id}`, { title: `a${char}b` }),
        'body.title',
      );
      await expectRefused(
        api('PATCH', `/v1/photos/${photo.id}`, { tags: ['fine', `a${char}b`] }),
        'body.tags.1',
      );
    });

    it.each(multi)('%s in a photo description', async (_what, char) => {
      await expectRefused(
        api('PATCH', `/v1/photos/${photo.id}`, { description: `line one\nline${char}two` }),
        'body.description',
      );
    });

    it.each(single)('%s in an album name, created or renamed', async (_what, char) => {
      await expectRefused(api('POST', '/v1/albums', { name: `a${char}b` }), 'body.name');
      await expectRefused(
        api('PATCH', `/v1/albums/${album.id}`, { name: `a${char}b` }),
        'body.name',
      );
    });

    it.each(single)('%s in a token name', async (_what, char) => {
      await expectRefused(
        api('POST', '/v1/tokens', { name: `ci${char}`, scopes: ['read'] }),
        'body.name',
      );
    });

    it.each(single)('%s in a username, to register or to share with', async (_what, char) => {
      await expectRefused(
        anonymous('POST', '/v1/auth/register', {
          username: `ab${char}c`,
          password: 'a long passphrase',
        }),
        'body.username',
      );
      await expectRefused(api('POST', '/v1/shares', { username: `ab${char}c` }), 'body.username');
    });

    it('a lone surrogate in a password, which would hash like U+FFFD', async () => {
      await expectRefused(
        anonymous('POST', '/v1/auth/register', {
          username: `u${randomUUID().slice(0, 8)}`,
          password: 'passphrase\ud800',
        }),
        'body.password',
      );
    });

    it('a lone surrogate escape written in the JSON text itself', async () => {
      const response = await fetch(`${server.url}/v1/photos/${photo.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
        body: '{"title": "sunrise \\ud800 over the bay"}',
      });
      const problem = await expectProblem(response, 400, 'validation_failed');
      expect(problem.errors?.map((error) => error.path)).toEqual(['body.title']);
    });

    it.each([
      ['title', 'a\u0000b'],
      ['description', 'a\u000bb'],
      ['tags', 'one,t\u001bwo'],
      ['album', 'Trip\u0085'],
      ['filename', 'IMG\u0007.jpg'],
      ['filetype', 'image/jpeg\n'],
      ['clientVersion', '1.0\u007f'],
    ])(
      'a control character in the Upload-Metadata field %s, before any byte is sent',
      async (field, value) => {
        const data = await testPhoto(902, 64, 48);
        const metadata = { filename: 'photo.jpg', sha256: sha256(data), [field]: value };
        const response = await fetch(`${server.url}${TUS_PATH}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${owner.token}`,
            'tus-resumable': '1.0.0',
            'upload-length': String(data.length),
            'upload-metadata': Object.entries(metadata)
              .map(([key, text]) => `${key} ${Buffer.from(text).toString('base64')}`)
              .join(','),
          },
        });
        const problem = await expectProblem(response, 400, 'validation_failed');
        expect(problem.detail).toContain(field);
      },
    );

    it('and changed nothing of what was stored', async () => {
      const { body } = await api('GET', `/v1/photos/${photo.id}`);
      expect(body).toMatchObject({
        title: photo.title,
        description: photo.description,
        tags: photo.tags,
      });
      expect(body.updatedAt).toBe(photo.updatedAt);
      const albums = await api<{ items: Album[] }>('GET', `/v1/users/${owner.username}/albums`);
      expect(albums.body.items.map((a) => a.name)).toEqual(['Kept']);
    });
  });

  describe('keeps what it accepts exactly as sent', () => {
    it('a photo’s title, multi-line description and tags, in every read', async () => {
      const changes = {
        title: RICH,
        description: `${RICH}\r\nsecond line\n\tindented`,
        tags: ['富士山', '👩‍👩‍👧', 'e\u0301te\u0301'],
      };
      const updated = await api('PATCH', `/v1/photos/${photo.id}`, changes);
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject(changes);
      expect((await api('GET', `/v1/photos/${photo.id}`)).body).toMatchObject(changes);
      const listed = await api<{ items: Photo[] }>('GET', `/v1/users/${owner.username}/photos`);
      expect(listed.body.items.find((item) => item.id === photo.id)).toMatchObject(changes);
    });

    it('an album’s name and a token’s name', async () => {
      const created = await api<Album>('POST', '/v1/albums', { name: RICH });
      expect(created.body.name).toBe(RICH);
      const albums = await api<{ items: Album[] }>('GET', `/v1/users/${owner.username}/albums`);
      expect(albums.body.items.map((a) => a.name)).toContain(RICH);
      await api('POST', '/v1/tokens', { name: RICH, scopes: ['read'] });
      const tokens = await api<{ items: { name: string }[] }>('GET', '/v1/tokens');
      expect(tokens.body.items.map((token) => token.name)).toContain(RICH);
    });

    it('the text of an upload’s metadata', async () => {
      const metadata = {
        filename: `${RICH}.jpg`,
        title: RICH,
        description: `${RICH}\nline two`,
        album: `${RICH} album`,
      };
      const uploaded = await uploadPhoto(server.url, await testPhoto(903, 64, 48), {
        token: owner.token,
        metadata,
      });
      const { body } = await api('GET', `/v1/photos/${uploaded.photo.id}`);
      expect(body).toMatchObject({
        originalName: metadata.filename,
        title: metadata.title,
        description: metadata.description,
        album: { name: metadata.album },
      });
    });
  });
});
