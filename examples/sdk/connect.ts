// The client every example uses: the server and the token come from the
// environment, so no secret is written in a script.
//   FLICKR_URL=http://127.0.0.1:8080 FLICKR_TOKEN=fk_… node --conditions=source examples/sdk/<example>.ts
import { FlickrClient } from '@flickr-kit/sdk';

export function connect(): FlickrClient {
  const token = process.env.FLICKR_TOKEN;
  if (!token) {
    console.error(
      'Set FLICKR_TOKEN (flickr-server user create NAME, or POST /v1/tokens) and FLICKR_URL.',
    );
    process.exit(2);
  }
  return new FlickrClient({ baseUrl: process.env.FLICKR_URL ?? 'http://127.0.0.1:8080', token });
}
