import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { RequestCompletions, type CompletedRequest } from './request-completion';
import { watchUpgrades } from './upgrade-completion';

function upgradeServer(): { server: EventEmitter; completed: CompletedRequest[] } {
  const server = new EventEmitter();
  const completions = new RequestCompletions();
  const completed: CompletedRequest[] = [];
  completions.listen((entry) => completed.push(entry));
  watchUpgrades(server as Server, completions, () => 'req-1');
  return { server, completed };
}

function upgrade(server: EventEmitter, url: string): PassThrough {
  const socket = new PassThrough();
  socket.resume();
  server.emit('upgrade', { url, method: 'GET', headers: {} }, socket, Buffer.alloc(0));
  return socket;
}

describe('watchUpgrades', () => {
  it('reports a refusal once, with the status its answer wrote, the route /ws and no query', () => {
    const { server, completed } = upgradeServer();
    const socket = upgrade(server, '/ws?ticket=secret');
    socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\n\r\n{}');
    socket.emit('close');
    expect(completed).toEqual([
      { reqId: 'req-1', method: 'GET', route: '/ws', status: 401, durationMs: expect.any(Number) },
    ]);
  });

  it('reports an accepted upgrade at its 101, then steps aside for the frames that follow', () => {
    const { server, completed } = upgradeServer();
    const socket = upgrade(server, '/ws');
    const frames: string[] = [];
    socket.on('data', (chunk: Buffer) => frames.push(chunk.toString('latin1')));
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n');
    socket.write(Buffer.from('HTTP/1.1 500 looks like a status line but is a frame'));
    socket.emit('close');
    expect(completed.map(({ status, aborted }) => ({ status, aborted }))).toEqual([
      { status: 101, aborted: undefined },
    ]);
    expect(frames.join('')).toContain('is a frame');
  });

  it('reports a connection closed before any status as aborted (499), on a path no gateway serves as unmatched', () => {
    const { server, completed } = upgradeServer();
    const socket = upgrade(server, '/elsewhere');
    socket.destroy();
    socket.emit('close');
    expect(completed).toEqual([expect.objectContaining({ route: 'unmatched', status: 499, aborted: true })]);
  });
});
