import { deleteAccount } from './account-deletion.ts';
import { exportAccount } from './account-export.ts';
import {
  createToken,
  getSettings,
  listTokens,
  login,
  logout,
  register,
  revokeToken,
  updateSettings,
  whoami,
} from './accounts.ts';
import { createAlbum, deleteAlbum, listAlbumPhotos, listAlbums, renameAlbum } from './albums.ts';
import { addComment, deleteComment, editComment, listComments } from './comments.ts';
import { favoritePhoto, listFavorites, unfavoritePhoto } from './favorites.ts';
import { followUser, listFollowers, listFollowing, unfollowUser } from './follows.ts';
import {
  countUnreadNotifications,
  listNotifications,
  markNotificationRead,
  markNotificationsRead,
  streamNotifications,
} from './notifications.ts';
import { deletePhoto, getPhoto, listUserPhotos, retryPhoto, updatePhoto } from './photos.ts';
import { getProfile, updateProfile } from './profiles.ts';
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
  getSettings,
  updateSettings,
  deleteAccount,
  exportAccount,
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
  listComments,
  addComment,
  editComment,
  deleteComment,
  favoritePhoto,
  unfavoritePhoto,
  listFavorites,
  getProfile,
  updateProfile,
  followUser,
  unfollowUser,
  listFollowers,
  listFollowing,
  listNotifications,
  countUnreadNotifications,
  markNotificationRead,
  markNotificationsRead,
  streamNotifications,
  searchPhotos,
} as const;

export type OperationId = keyof typeof operations;
