import { uuidv7 } from '../domain/ids.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** A caller's request id when it is sane, so ids follow a request across services; a new one otherwise. */
export function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : uuidv7();
}
