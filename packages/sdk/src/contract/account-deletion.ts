import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { wellFormedText } from './stored-text.ts';

/** What deleting an account asks for: the password again, so a token alone cannot do it. */
export const DeleteAccountRequest = z.object({
  // Any password a user could have set: the length rules are for new ones (Password).
  password: wellFormedText()
    .min(1)
    .max(1024)
    .describe('The account’s password, typed again: a leaked or stray token cannot delete it'),
});
export type DeleteAccountRequest = z.infer<typeof DeleteAccountRequest>;

export const deleteAccount = defineOperation({
  id: 'deleteAccount',
  method: 'DELETE',
  path: '/v1/me',
  summary:
    'Delete your account: everything of yours unreachable at once, files purged on the purge schedule',
  tag: 'account',
  access: 'delete',
  body: DeleteAccountRequest,
  status: 204,
  errors: ['invalid_credentials', 'rate_limited'],
});
