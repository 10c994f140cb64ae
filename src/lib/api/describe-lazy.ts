/**
 * describeError, loaded on the first error so its message tables stay out of the first page load. If the code
 * cannot be loaded (offline with an old cache), a plain message still reaches the user.
 */
import type { DescribeContext, UserMessage } from './describe';
import { isAbortError } from './errors';

export async function describeErrorLazily(
  err: unknown,
  ctx: DescribeContext = {},
): Promise<UserMessage | null> {
  if (isAbortError(err)) return null;
  try {
    const { describeError } = await import('./describe');
    return describeError(err, ctx);
  } catch {
    return {
      title: 'The request failed',
      detail: 'The details of the error could not be loaded, perhaps because this device is offline.',
      next: 'Check the connection and try again.',
      severity: 'error',
    };
  }
}
