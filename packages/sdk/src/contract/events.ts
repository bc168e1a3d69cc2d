import { z } from 'zod';
import { Id } from './common.ts';

/** The upload saga's steps, in order. */
export const SagaStep = z.enum([
  'store_original',
  'publish_original',
  'render_renditions',
  'publish_renditions',
  'finalize',
  'notify_followers',
]);
export type SagaStep = z.infer<typeof SagaStep>;
export const SAGA_STEPS = SagaStep.options;

/** An event of the transactional outbox: one saga step due for one photo. */
export const SagaEvent = z.object({
  id: Id,
  photoId: Id,
  step: SagaStep,
  attempts: z.number().int(),
  payload: z.record(z.string(), z.unknown()),
});
export type SagaEvent = z.infer<typeof SagaEvent>;
