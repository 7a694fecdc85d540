/**
 * A loopback server whose every answer is an endless-looking stream of `size` bytes. Not a
 * script for ably-server.ts: the test is about the transport (gigabyte bodies streamed only as
 * fast as the client reads them, and how much was actually sent).
 */
export interface HugeServer {
  host: string;
  /** Bytes the server actually sent before the client stopped reading. */
  sent(): number;
  close(): Promise<void>;
}

export function startHugeServer(size: number, status = 200): HugeServer {
  let sent = 0;
  const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    let left = size;
    // Pull-based: nothing is produced faster than the client reads it.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (left <= 0) return controller.close();
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        sent += piece.length;
        controller.enqueue(piece);
      },
    }, { highWaterMark: 0 });
    return new Response(body, { status, headers: { "content-type": "application/json" } });
  });
  return {
    host: `127.0.0.1:${server.addr.port}`,
    sent: () => sent,
    close: () => server.shutdown(),
  };
}
