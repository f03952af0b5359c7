/**
 * Whether a worker itself takes connections from a socket it shares, from /proc (Linux): each kind
 * of server is a real process on an inherited listening socket (fd 3) that calls nothing of
 * xdaemon, and is seen the way it waits for connections: libuv and asyncio in an epoll set, Python's
 * http.server in poll(2), a blocking accept(2), select(2). A process that holds the socket and
 * does not wait on it is never taken for one that accepts.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AcceptWay, acceptingOn, socketInode } from '../../src/process/accepting';
import { cleanup } from '../support/fixtures';
import { sleep, taggedEnv, waitFor } from '../support/harness';
import { skipUnlessTool } from '../support/tools';

after(cleanup);

const linux = process.platform === 'linux';
const python = linux && spawnSync('python3', ['-c', 'pass']).status === 0;
// Outside CI a missing python3 skips its tests; under CI=true (which installs it) it fails the run.
const noPython = linux && skipUnlessTool(python, 'python3', 'Debian: apt-get install python3');

const SERVERS: { name: string; way: AcceptWay | undefined; command: string[]; needs?: boolean }[] = [
  { name: 'Node (libuv)', way: 'epoll', command: [process.execPath, '-e', "require('node:http').createServer((q, r) => r.end('ok')).listen({ fd: 3 })"] },
  {
    name: 'Python asyncio',
    way: 'epoll',
    needs: python,
    command: ['python3', '-c', 'import asyncio, socket\nasync def main():\n    s = await asyncio.start_server(lambda r, w: w.close(), sock=socket.socket(fileno=3))\n    await s.serve_forever()\nasyncio.run(main())'],
  },
  {
    name: "Python's http.server",
    way: 'poll',
    needs: python,
    command: ['python3', '-c', 'import http.server, socket\ns = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler, bind_and_activate=False)\ns.socket.close(); s.socket = socket.socket(fileno=3)\ns.serve_forever()'],
  },
  // The held socket is non-blocking (as the supervisor's is): a server that accepts in a blocking call makes it blocking.
  { name: 'a blocking accept', way: 'accept', needs: python, command: ['python3', '-c', 'import socket\ns = socket.socket(fileno=3)\ns.setblocking(True)\ns.accept()'] },
  { name: 'select', way: 'select', needs: python, command: ['python3', '-c', 'import select, socket\nselect.select([socket.socket(fileno=3)], [], [])'] },
  { name: 'a process that holds the socket and waits on none of it', way: undefined, command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] },
];

describe('a worker seen accepting on a shared socket', { skip: !linux && 'Linux only (/proc)' }, () => {
  let server: net.Server;
  let fd: number;
  let inode: number;
  const children: ChildProcess[] = [];
  before(async () => {
    // Held, never connected to: the children wait on its queue.
    server = net.createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
    inode = socketInode(fd) as number;
    assert.ok(inode > 0, 'the inode of the held socket');
  });
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    server.close();
  });

  for (const s of SERVERS) {
    test(`${s.name}: ${s.way ?? 'never'}`, { skip: s.needs === false && noPython }, async () => {
      const [file, ...args] = s.command as [string, ...string[]];
      const child = spawn(file, args, { env: taggedEnv(), stdio: ['ignore', 'ignore', 'inherit', fd] });
      children.push(child);
      const pid = child.pid as number;
      if (s.way === undefined) {
        await sleep(800);
        assert.equal(acceptingOn(pid, new Set([inode])), undefined);
        assert.equal(acceptingOn(pid, new Set([inode + 1])), undefined);
        return;
      }
      const seen = await waitFor(`${s.name} accepting`, () => acceptingOn(pid, new Set([inode])), 10_000, 10);
      assert.equal(seen, s.way);
      assert.equal(acceptingOn(pid, new Set([inode + 1])), undefined, 'another socket: not this one');
    });
  }
});
