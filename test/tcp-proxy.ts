/**
 * A TCP proxy of the test's own, on an ephemeral port, between the server under test and
 * PostgreSQL, that fails the way networks and databases fail: every connection reset at
 * once (a database restart, a failover), nothing getting through either way (a network
 * partition: no reset, no answer), or the next query's connection reset while a client
 * holds it.
 */
import net from "node:net";

export interface TcpProxy {
  port: number;
  /** Resets every connection, and each new one as it arrives: the database went away. */
  cut(): void;
  /** Forwards nothing more, either way, and leaves new connections hanging: a network partition. */
  partition(): void;
  /** Resets the connection that carries the next query: a failure while a client is checked out. */
  resetNextQuery(): void;
  /** Back to normal; connections held by a partition go on where they stopped. */
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
  dropped?: boolean;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: "open" | "cut" | "partition" = "open";
  let resetOnQuery = false;
  const pairs = new Set<Pair>();

  const drop = (pair: Pair) => {
    if (pair.dropped) return;
    pair.dropped = true;
    pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.upstream?.destroy();
  };

  const connect = (pair: Pair) => {
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on("error", () => drop(pair));
    upstream.on("close", () => drop(pair));
    upstream.on("data", (chunk) => pair.client.write(chunk));
    pair.client.on("data", (chunk) => {
      if (resetOnQuery) {
        resetOnQuery = false;
        drop(pair);
      } else upstream.write(chunk);
    });
    pair.client.resume();
  };

  const server = net.createServer((client) => {
    client.on("error", () => {});
    if (mode === "cut") {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client };
    pairs.add(pair);
    client.on("close", () => drop(pair));
    client.pause();
    if (mode === "open") connect(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      mode = "cut";
      for (const pair of [...pairs]) drop(pair);
    },
    partition() {
      mode = "partition";
      for (const pair of pairs) {
        pair.client.pause();
        pair.upstream?.pause();
      }
    },
    resetNextQuery() {
      resetOnQuery = true;
    },
    restore() {
      mode = "open";
      resetOnQuery = false;
      for (const pair of pairs) {
        if (!pair.upstream) connect(pair);
        else {
          pair.client.resume();
          pair.upstream.resume();
        }
      }
    },
    async close() {
      for (const pair of [...pairs]) drop(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
