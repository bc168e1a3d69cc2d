/**
 * A step failure that retrying cannot fix (an image that fails to decode, a
 * staged upload that is gone): the step is parked at once, with its reason.
 */
export class PermanentStepError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentStepError';
  }
}
