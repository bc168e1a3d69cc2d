// Requests written byte for byte on a socket: what no HTTP client would
// send (a NUL in the path, a broken request line, 70 KiB of headers) and
// what Node's HTTP parser refuses before Fastify sees it.
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `request` on a new connection and reads the one answer until the server closes it. */
export function sendRaw(baseUrl: string, request: string | Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server that answers before reading all of a huge request may reset the
    // connection afterwards; the answer already received is what counts.
    socket.on('error', (error) => (chunks.length > 0 ? socket.destroy() : reject(error)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
    socket.write(request);
  });
}

/**
 * A request for `target` exactly as given (GET unless told), with extra
 * header lines, closing the connection after it. Target and body are written
 * as Latin-1, one byte per character: percent-encode anything beyond.
 */
export function rawRequest(
  baseUrl: string,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const headers = Object.entries({
    host: new URL(baseUrl).host,
    connection: 'close',
    ...(options.body === undefined
      ? {}
      : { 'content-length': String(Buffer.byteLength(options.body, 'latin1')) }),
    ...options.headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`);
  return sendRaw(
    baseUrl,
    Buffer.from(
      `${options.method ?? 'GET'} ${target} HTTP/1.1\r\n${headers.join('')}\r\n${options.body ?? ''}`,
      'latin1',
    ),
  );
}
