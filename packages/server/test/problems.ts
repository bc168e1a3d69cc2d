// Checks that an error answer is a problem document (RFC 9457) with a stable code.
import { type ErrorCode, PROBLEM_CONTENT_TYPE, type Problem } from '@flickr-kit/sdk/contract';
import { expect } from 'vitest';

/** Asserts status, content type, code and request id of an error answer, and returns its body. */
export async function expectProblem(
  response: Response,
  status: number,
  code: ErrorCode,
): Promise<Problem> {
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status });
  expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
  const problem = JSON.parse(text) as Problem;
  expect(problem).toMatchObject({ status, code, requestId: expect.any(String) });
  expect(problem.requestId).toBe(response.headers.get('x-request-id'));
  expect(problem.detail.length).toBeGreaterThan(0);
  return problem;
}
