import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.ts';
import { issueToken, parseToken, secretMatches } from './token-secrets.ts';

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stable', stored)).toBe(false);
  });
  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });
  it('refuses a stored value of another scheme', async () => {
    expect(await verifyPassword('x', 'bcrypt$whatever')).toBe(false);
  });
});

describe('token secrets', () => {
  it('issues tokens that parse back to their id and match their stored hash', () => {
    const id = '01a20cdf-0ca5-7000-8574-4e14a2a5e0a4';
    const { token, secretHash } = issueToken(id);
    const parsed = parseToken(token);
    expect(parsed?.tokenId).toBe(id);
    expect(secretMatches(parsed?.secret ?? '', secretHash)).toBe(true);
    expect(secretMatches(`${parsed?.secret.slice(0, -1)}x`, secretHash)).toBe(false);
  });
  it.each(['', 'fk_', 'Bearer abc', `fk_not-an-id_${'a'.repeat(43)}`])(
    'does not parse %j',
    (token) => {
      expect(parseToken(token)).toBeUndefined();
    },
  );
});
