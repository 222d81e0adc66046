/**
 * A TCP proxy on 127.0.0.1 in front of etcd, so that one client can be cut
 * off while the others keep talking: `blackhole()` keeps every socket open but
 * forwards nothing (packets vanish, as in a partition; calls hit deadlines),
 * `heal()` closes those half-fed connections (their byte streams have gaps)
 * and forwards again on new ones. Buffers are bounded at 1 MiB per socket.
 */
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

export interface TcpProxy {
  readonly endpoint: string;
  blackhole(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetEndpoint: string): Promise<TcpProxy> {
  const target = new URL(targetEndpoint);
  let cut = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (!cut && upstream.writableLength < 2 ** 20) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!cut && client.writableLength < 2 ** 20) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    blackhole: () => void (cut = true),
    heal: () => {
      for (const socket of sockets) socket.destroy();
      cut = false;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
