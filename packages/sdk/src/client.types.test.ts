// Type tests: `pnpm typecheck` checks these assertions; running them only checks they compile.
import { describe, expectTypeOf, it } from 'vitest';
import type { FlickrClient } from './client.ts';
import type {
  Album,
  Comment,
  Favorite,
  FavoriteState,
  Grant,
  Limits,
  Photo,
  Session,
  TokenInfo,
  UploadResult,
  UserSettings,
} from './contract/index.ts';
import type { PageIterator } from './core/pagination.ts';
import type {
  ApiError,
  CommentsDisabledError,
  NotFoundError,
  PermissionDeniedError,
} from './errors.ts';
import type { UploadReportEntry } from './uploads/many/upload-many.ts';
import type { UploadFileResult } from './uploads/upload-file.ts';

describe('public types', () => {
  it('infers every resource method from the contract', () => {
    expectTypeOf<FlickrClient['auth']['login']>().returns.resolves.toEqualTypeOf<Session>();
    expectTypeOf<FlickrClient['tokens']['list']>().returns.resolves.toEqualTypeOf<TokenInfo[]>();
    expectTypeOf<FlickrClient['limits']['get']>().returns.resolves.toEqualTypeOf<Limits>();
    expectTypeOf<FlickrClient['photos']['get']>().returns.resolves.toEqualTypeOf<Photo>();
    expectTypeOf<FlickrClient['photos']['delete']>().returns.resolves.toEqualTypeOf<undefined>();
    expectTypeOf<FlickrClient['photos']['list']>().returns.toEqualTypeOf<PageIterator<Photo>>();
    expectTypeOf<FlickrClient['albums']['create']>().returns.resolves.toEqualTypeOf<Album>();
    expectTypeOf<FlickrClient['shares']['grant']>().returns.resolves.toEqualTypeOf<Grant>();
    expectTypeOf<FlickrClient['comments']['list']>().returns.toEqualTypeOf<PageIterator<Comment>>();
    expectTypeOf<FlickrClient['comments']['add']>().returns.resolves.toEqualTypeOf<Comment>();
    expectTypeOf<FlickrClient['comments']['edit']>().returns.resolves.toEqualTypeOf<Comment>();
    expectTypeOf<FlickrClient['comments']['delete']>().returns.resolves.toEqualTypeOf<undefined>();
    expectTypeOf<
      FlickrClient['favorites']['add']
    >().returns.resolves.toEqualTypeOf<FavoriteState>();
    expectTypeOf<
      FlickrClient['favorites']['remove']
    >().returns.resolves.toEqualTypeOf<FavoriteState>();
    expectTypeOf<FlickrClient['favorites']['list']>().returns.toEqualTypeOf<
      PageIterator<Favorite>
    >();
    expectTypeOf<FlickrClient['settings']['get']>().returns.resolves.toEqualTypeOf<UserSettings>();
  });

  it('types upload results and reports as unions to narrow', () => {
    expectTypeOf<
      FlickrClient['uploads']['uploadFile']
    >().returns.resolves.toEqualTypeOf<UploadFileResult>();
    expectTypeOf<Extract<UploadFileResult, { status: 'uploaded' }>['photo']>().toEqualTypeOf<
      UploadResult['photo']
    >();
    expectTypeOf<UploadReportEntry['status']>().toEqualTypeOf<'uploaded' | 'skipped' | 'failed'>();
  });

  it('makes status errors subclasses of ApiError carrying the problem code', () => {
    expectTypeOf<NotFoundError>().toExtend<ApiError>();
    expectTypeOf<CommentsDisabledError>().toExtend<PermissionDeniedError>();
    expectTypeOf<NotFoundError['code']>().toEqualTypeOf<string>();
    expectTypeOf<NotFoundError['requestId']>().toEqualTypeOf<string | undefined>();
  });
});
