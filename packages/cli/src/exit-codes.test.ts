import {
  AbortError,
  ApiError,
  ConnectionError,
  type ErrorCode,
  TimeoutError,
} from '@flickr-kit/sdk';
import { describe, expect, it } from 'vitest';
import { describeFailure, ExitCode, UsageError } from './exit-codes.ts';

const problem = (status: number, code: ErrorCode, detail: string) =>
  ApiError.generate(
    status,
    { type: 'about:blank', title: code, status, code, detail, requestId: 'req-1' },
    detail,
  );

describe('describeFailure', () => {
  it('maps each kind of failure to its documented exit code and one line', () => {
    expect(describeFailure(new UsageError('no such file'))).toEqual({
      code: ExitCode.usage,
      message: 'no such file',
    });
    expect(describeFailure(problem(401, 'unauthenticated', 'token revoked')).code).toBe(
      ExitCode.authentication,
    );
    expect(describeFailure(problem(403, 'insufficient_scope', 'needs write')).code).toBe(
      ExitCode.authentication,
    );
    expect(describeFailure(problem(404, 'not_found', 'Photo not found'))).toEqual({
      code: ExitCode.failed,
      message: 'Photo not found (not_found, request req-1)',
    });
    const refused = new ConnectionError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(describeFailure(refused, 'http://127.0.0.1:1')).toEqual({
      code: ExitCode.unreachable,
      message: 'cannot reach http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(describeFailure(new TimeoutError('slow')).code).toBe(ExitCode.unreachable);
    expect(describeFailure(new AbortError('stop')).code).toBe(ExitCode.interrupted);
    expect(describeFailure(new DOMException('stop', 'AbortError')).code).toBe(ExitCode.interrupted);
    expect(describeFailure(new Error('line one\n  line two')).message).toBe('line one line two');
  });
});
