import type { SagaStep } from '@flickr-kit/sdk/contract';
import { z } from 'zod';

// What each saga step's event carries, from the step before it (or the
// pivot, for the first). Events outlive the code that wrote them (they wait
// in the outbox, or a broker, across an upgrade), so each payload is read
// back through its schema: one that does not fit parks its event with the
// reason, instead of a step reading `undefined` where it expected a value.

/** A rendition made by the render step, carried to the steps that publish and record it. */
export const MadeRendition = z.object({
  name: z.string(),
  key: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  format: z.enum(['jpeg', 'webp', 'avif', 'png']),
  renderedBy: z.enum(['client', 'server']),
});
export type MadeRendition = z.infer<typeof MadeRendition>;

/** Whether the upload brought a thumbnail of its own, which the saga keeps instead of rendering one. */
const kept = z.object({ clientThumbnail: z.boolean() });
const rendered = z.object({
  renditions: z.array(MadeRendition),
  /** The photo's ThumbHash, for grids to paint before any image arrives. */
  placeholder: z.string().nullable(),
});

export const StepPayloads = {
  store_original: kept.extend({ uploadId: z.string() }),
  publish_original: kept,
  render_renditions: kept,
  publish_renditions: rendered,
  finalize: rendered,
  notify_followers: z.object({}),
} as const satisfies Record<SagaStep, z.ZodType>;

export type StepPayload<S extends SagaStep> = z.infer<(typeof StepPayloads)[S]>;

/** A step and its payload, as one event asks for them. */
export type SagaEventOf<S extends SagaStep> = { step: S; payload: StepPayload<S> };
export type SagaEvent = { [S in SagaStep]: SagaEventOf<S> }[SagaStep];
