import {
  createToken,
  listTokens,
  login,
  logout,
  register,
  revokeToken,
  whoami,
} from './accounts.ts';
import { createAlbum, deleteAlbum, listAlbumPhotos, listAlbums, renameAlbum } from './albums.ts';
import { deletePhoto, getPhoto, listUserPhotos, retryPhoto, updatePhoto } from './photos.ts';
import { searchPhotos } from './search.ts';
import { grantAccess, listGrants, listGrantsToMe, revokeAccess } from './shares.ts';
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
  updatePhoto,
  deletePhoto,
  listUserPhotos,
  retryPhoto,
  createAlbum,
  listAlbums,
  renameAlbum,
  deleteAlbum,
  listAlbumPhotos,
  grantAccess,
  revokeAccess,
  listGrants,
  listGrantsToMe,
  searchPhotos,
} as const;

export type OperationId = keyof typeof operations;
