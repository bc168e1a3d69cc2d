import {
  RENDER_SPEC_VERSION,
  type RenditionSpec,
  THUMBNAIL_SPEC,
} from '@flickr-kit/thumbnail-core';

export interface RenditionPolicy {
  /** Rendered first, alone, exactly as clients render it, so their bytes can be kept. */
  thumbnail: RenditionSpec;
  /** Further sizes, rendered together from one decode. */
  others: RenditionSpec[];
  specVersion: string;
  /** Client versions whose thumbnails are never kept (a buggy release). */
  clientDenylist: ReadonlySet<string>;
}

export function renditionPolicy(
  others: readonly { name: string; width: number; format: RenditionSpec['format'] }[],
  clientDenylist: readonly string[],
): RenditionPolicy {
  return {
    thumbnail: THUMBNAIL_SPEC,
    others: others.map(({ name, width, format }) => ({ name, width, format })),
    specVersion: RENDER_SPEC_VERSION,
    clientDenylist: new Set(clientDenylist),
  };
}
