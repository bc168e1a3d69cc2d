import {
  createToken,
  listTokens,
  login,
  logout,
  register,
  revokeToken,
  whoami,
} from './accounts.ts';
import { getPhoto, retryPhoto } from './photos.ts';
import { checkHashes, getLimits } from './uploads.ts';

/** Every JSON operation of the API, by id. The tus upload endpoint is documented beside them. */
export const operations = {
  register,
  login,
  logout,
  whoami,
  listTokens,
  createToken,
  revokeToken,
  getLimits,
  checkHashes,
  getPhoto,
  retryPhoto,
} as const;

export type OperationId = keyof typeof operations;
