import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Operation } from './operation.ts';
import { operations } from './operations.ts';
import { storedText } from './stored-text.ts';
import { UploadMetadata } from './uploads.ts';

/** Every string a request can carry, by path: `<operation>.<part>.<field>`. */
function stringFields(schema: z.ZodType, path: string, found: Map<string, z.ZodType>): void {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  if (def.type === 'string') found.set(path, schema);
  else if (def.type === 'object')
    for (const [key, field] of Object.entries(def.shape as Record<string, z.ZodType>))
      stringFields(field, `${path}.${key}`, found);
  else if (def.type === 'array') stringFields(def.element as z.ZodType, `${path}.0`, found);
  else if (def.type === 'pipe') {
    stringFields(def.in as z.ZodType, path, found);
    stringFields(def.out as z.ZodType, path, found);
  } else if (def.type === 'union')
    for (const option of def.options as z.ZodType[]) stringFields(option, path, found);
  else if (def.innerType) stringFields(def.innerType as z.ZodType, path, found);
}

function requestStrings(): Map<string, z.ZodType> {
  const found = new Map<string, z.ZodType>();
  for (const operation of Object.values(operations) as Operation[])
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = operation[part];
      if (schema) stringFields(schema, `${operation.id}.${part}`, found);
    }
  stringFields(UploadMetadata, 'uploadMetadata', found);
  return found;
}

/** Strings never stored as sent, and why. */
const NOT_STORED = new Map([
  ['register.body.password', 'hashed; lone surrogates are refused (wellFormedText)'],
  ['login.body.password', 'hashed; lone surrogates are refused (wellFormedText)'],
  ['deleteAccount.body.password', 'hashed; lone surrogates are refused (wellFormedText)'],
  ['listUserPhotos.query.after', 'an opaque cursor, checked by its MAC'],
  ['listUserPhotos.query.before', 'an opaque cursor, checked by its MAC'],
  ['listAlbumPhotos.query.after', 'an opaque cursor, checked by its MAC'],
  ['listAlbumPhotos.query.before', 'an opaque cursor, checked by its MAC'],
  ['listComments.query.after', 'an opaque cursor, checked by its MAC'],
  ['listComments.query.before', 'an opaque cursor, checked by its MAC'],
  ['listFavorites.query.after', 'an opaque cursor, checked by its MAC'],
  ['listFavorites.query.before', 'an opaque cursor, checked by its MAC'],
  ['uploadMetadata.thumbnail', 'base64 of an image, decoded to bytes'],
  ['listFollowers.query.after', 'an opaque cursor, checked by its MAC'],
  ['listFollowers.query.before', 'an opaque cursor, checked by its MAC'],
  ['listFollowing.query.after', 'an opaque cursor, checked by its MAC'],
  ['listFollowing.query.before', 'an opaque cursor, checked by its MAC'],
  ['listNotifications.query.after', 'an opaque cursor, checked by its MAC'],
  ['listNotifications.query.before', 'an opaque cursor, checked by its MAC'],
  ['searchPhotos.query.cursor', 'an opaque cursor, checked by its MAC'],
]);

describe('storedText', () => {
  const line = storedText();
  const text = storedText({ multiline: true });

  it('accepts emoji, CJK, combining marks and other scripts as they are', () => {
    for (const value of [
      '🏔️ Mont Blanc 👨‍👩‍👧',
      '富士山の朝',
      'e\u0301te\u0301',
      'שלום',
      '\u00a0nbsp',
    ])
      expect(line.parse(value)).toBe(value);
  });

  it('refuses every control character in single-line text, tab and line breaks included', () => {
    for (const char of ['\u0000', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f'])
      expect(line.safeParse(`a${char}b`).success, JSON.stringify(char)).toBe(false);
  });

  it('keeps tab and line breaks in multi-line text, and refuses the other controls', () => {
    expect(text.parse('one\r\ntwo\n\tthree')).toBe('one\r\ntwo\n\tthree');
    for (const char of ['\u0000', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085'])
      expect(text.safeParse(`a${char}b`).success, JSON.stringify(char)).toBe(false);
  });

  it('refuses a lone surrogate, high or low, and keeps a pair', () => {
    for (const value of ['\ud800', 'a\udfff', '\ude00\ud83d'])
      expect(text.safeParse(value).success, JSON.stringify(value)).toBe(false);
    expect(text.parse('\ud83d\ude00')).toBe('😀');
  });

  it('checks the text as sent, before a trim chained after it', () => {
    expect(storedText().trim().safeParse('Holidays\n').success).toBe(false);
  });
});

describe('the contract’s request strings', () => {
  const strings = requestStrings();

  it.each([
    ['NUL', 'abcdefgh\u0000'],
    ['a lone surrogate', 'abcdefgh\ud800'],
    ['a C1 control', 'abcdefgh\u0085'],
  ])('refuse %s in every field that is stored', (_what, value) => {
    const accepting = [...strings]
      .filter(([path, schema]) => !NOT_STORED.has(path) && schema.safeParse(value).success)
      .map(([path]) => path);
    expect(accepting).toEqual([]);
  });

  it('refuse a lone surrogate in passwords, which are hashed as UTF-8', () => {
    expect(strings.get('register.body.password')?.safeParse('abcdefgh\ud800').success).toBe(false);
    expect(strings.get('deleteAccount.body.password')?.safeParse('abcdefgh\ud800').success).toBe(
      false,
    );
  });

  it('name only fields that exist in the exemptions', () => {
    for (const path of NOT_STORED.keys()) expect(strings.has(path), path).toBe(true);
  });
});
