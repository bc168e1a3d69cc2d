import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'fk';
const TOKEN = /^fk_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;

/** A bearer token is `fk_<token id>_<secret>`: the id finds the row, the secret proves possession. */
export function issueToken(tokenId: string): { token: string; secretHash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${PREFIX}_${tokenId}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseToken(token: string): { tokenId: string; secret: string } | undefined {
  const match = TOKEN.exec(token);
  return match ? { tokenId: match[1] as string, secret: match[2] as string } : undefined;
}

/** Only this hash is stored: a database leak reveals no usable token. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
