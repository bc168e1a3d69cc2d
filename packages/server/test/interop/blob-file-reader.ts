// The one shim Uppy needs in Node. Uppy keeps a file's bytes as the
// `File`/`Blob` it was given (as in a browser) and hands them to
// tus-js-client, whose Node build reads only Buffers and streams ("source
// object may only be an instance of Buffer or Readable in this
// environment"); its browser build reads Blobs but needs XMLHttpRequest.
// tus-js-client takes a `fileReader` option, which Uppy's Tus plugin passes
// through like any other tus option: this one reads a Blob into a Buffer and
// leaves the rest to tus-js-client's own reader. Nothing else of Uppy or of
// the protocol changes.
import * as tus from 'tus-js-client';

type FileReader = NonNullable<tus.UploadOptions['fileReader']>;

export const blobFileReader: FileReader = {
  async openFile(input: unknown, chunkSize: number) {
    const source = input instanceof Blob ? Buffer.from(await input.arrayBuffer()) : input;
    return tus.defaultOptions.fileReader.openFile(source, chunkSize);
  },
};
