/**
 * The sockets of one client process: opened as browser tabs open them (the session cookie
 * and the page's Origin), each counted as open only once the BFF's `ready` frame arrived
 * (its channels are subscribed from then on), and recorded as they receive bench frames.
 */
import WebSocket from 'ws';
import type { OpenReply, OpenRequest } from './protocol';
import { monotonicUs } from './protocol';
import type { Recorder } from './recorder';

interface Tracked {
  socket: WebSocket;
  sub: string;
  closing: boolean;
}

export class SocketPool {
  private readonly groups = new Map<string, Set<Tracked>>();

  constructor(private readonly recorder: Recorder) {}

  get size(): number {
    let total = 0;
    for (const group of this.groups.values()) total += group.size;
    return total;
  }

  /** Opens `count` sockets, at most `concurrency` upgrades in flight; resolves once each is ready or failed. */
  async open(request: OpenRequest): Promise<OpenReply> {
    const started = performance.now();
    const group = this.groups.get(request.group) ?? new Set<Tracked>();
    this.groups.set(request.group, group);
    const errors: Record<string, number> = {};
    let next = 0;
    let opened = 0;
    const worker = async (): Promise<void> => {
      while (next < request.count) {
        const index = next++;
        try {
          group.add(await this.openOne(request, request.cookies[index % request.cookies.length] ?? ''));
          opened += 1;
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          errors[reason] = (errors[reason] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(request.concurrency, request.count) }, worker));
    return { opened, failed: request.count - opened, errors, ms: performance.now() - started };
  }

  /** Closes every group (on stop). */
  async closeAll(timeoutMs = 5_000): Promise<void> {
    await Promise.all([...this.groups.keys()].map((name) => this.close(name, timeoutMs)));
  }

  /** Closes a group politely (1000) and waits for the closing handshakes, bounded; stragglers are terminated. */
  async close(name: string, timeoutMs = 15_000): Promise<number> {
    const group = this.groups.get(name);
    this.groups.delete(name);
    if (!group) return 0;
    const closed = [...group].map(
      (tracked) =>
        new Promise<void>((resolve) => {
          tracked.closing = true;
          if (tracked.socket.readyState === WebSocket.CLOSED) {
            resolve();
            return;
          }
          tracked.socket.once('close', () => resolve());
          tracked.socket.close(1000, 'bench done');
        }),
    );
    const timer = setTimeout(() => {
      for (const tracked of group) tracked.socket.terminate();
    }, timeoutMs);
    await Promise.all(closed);
    clearTimeout(timer);
    return group.size;
  }

  private openOne(request: OpenRequest, cookie: string): Promise<Tracked> {
    return new Promise<Tracked>((resolve, reject) => {
      const socket = new WebSocket(request.url, {
        headers: { origin: request.origin, cookie },
        perMessageDeflate: false,
        handshakeTimeout: request.timeoutMs,
      });
      const timer = setTimeout(() => {
        fail(new Error('no ready frame in time'));
      }, request.timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.removeAllListeners('message');
        socket.terminate();
        reject(error);
      };
      socket.once('unexpected-response', (_req, response) => {
        response.resume();
        fail(new Error(`upgrade refused: HTTP ${String(response.statusCode)}`));
      });
      const onError = (error: NodeJS.ErrnoException): void => {
        fail(new Error(error.code ?? error.message));
      };
      socket.on('error', onError);
      socket.once('close', (code) => {
        fail(new Error(`closed before ready: ${String(code)}`));
      });
      socket.once('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as { type?: string; data?: { sub?: string } };
        if (frame.type !== 'ready' || typeof frame.data?.sub !== 'string') {
          fail(new Error(`first frame was ${String(frame.type)}, not ready`));
          return;
        }
        clearTimeout(timer);
        socket.removeAllListeners('close');
        // From now on an error is followed by a close, which is what gets counted.
        socket.off('error', onError);
        socket.on('error', () => undefined);
        const tracked: Tracked = { socket, sub: frame.data.sub, closing: false };
        socket.on('message', (payload: Buffer) => {
          // Stamped before parsing: parsing is part of what a tab pays, but the same in the baseline.
          this.recorder.frame(monotonicUs(), payload.toString('utf8'), tracked.sub);
        });
        socket.on('close', (code) => {
          if (!tracked.closing) this.recorder.unexpectedClose(code, tracked.sub);
        });
        resolve(tracked);
      });
    });
  }
}
