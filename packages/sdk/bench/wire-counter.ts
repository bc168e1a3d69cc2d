// An undici Agent that remembers its sockets, so a benchmark reads the bytes
// a client actually wrote to TCP (headers and bodies) at no cost to the
// transfer, instead of trusting the client's own progress events.
import type { Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';

export interface CountingAgent {
  agent: Agent;
  /** Bytes written to every socket this agent has opened, closed ones included. */
  bytesWritten(): number;
}

export function countingAgent(options: Agent.Options = {}): CountingAgent {
  const sockets = new Set<Socket>();
  const connect = buildConnector({});
  const agent = new Agent({
    keepAliveTimeout: 10_000,
    ...options,
    connect: (connectOptions, callback) =>
      connect(connectOptions, (error, socket) => {
        if (socket) sockets.add(socket);
        if (error) callback(error, null);
        else callback(null, socket as Socket);
      }),
  });
  return {
    agent,
    bytesWritten: () => [...sockets].reduce((sum, socket) => sum + socket.bytesWritten, 0),
  };
}
