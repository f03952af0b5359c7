/**
 * `listen` promises its other tests leave open (README, "Sockets, instances and reload"): the
 * preload makes `listen({ port, host })` and `listen(port, host)` for a held port take the held
 * socket, whatever the host, and leaves every other form alone (another port, a path, `{ fd }`);
 * `listenHandle(name, fallback)` outside a supervised worker gives the fallback (also when
 * `LISTEN_*` name another process); a stale unix socket file nobody answers on is replaced, a live
 * one is not.
 */
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { assertCode, newHome, startDaemon, workerRunning, xd } from '../support/cli';
import { ROOT, cleanup, readText, records, tempDir } from '../support/fixtures';
import { freePort, isGone, signal, signalOurs, start, waitFor, waitLine } from '../support/harness';

after(cleanup);

const NODE = process.execPath;

/** One GET to a TCP port or a unix socket; the body. */
function get(to: { port: number } | { socketPath: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ ...to, host: '127.0.0.1', path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * A plain app (no xdaemon): instance N (of five) listens in form N, told the held port by HELD, a
 * free port by OTHER and a path by SOCK (one form a process: Node takes an fd for one server
 * only), answers its letter, and prints `SERVER {letter, same}` where `same` says whether its
 * descriptor is the held socket (the inode of descriptor 3), or the error's code.
 */
const FORMS_APP = `'use strict';
const fs = require('node:fs');
const http = require('node:http');
const held = Number(process.env.HELD);
const inode = (fd) => fs.readlinkSync('/proc/self/fd/' + fd);
const fd3 = inode(3);
const forms = [
  ['a', (s, cb) => s.listen({ port: held, host: '0.0.0.0' }, cb)],
  ['b', (s, cb) => s.listen(held, '127.0.0.1', cb)],
  ['c', (s, cb) => s.listen({ port: Number(process.env.OTHER), host: '127.0.0.1' }, cb)],
  ['d', (s, cb) => s.listen(process.env.SOCK, cb)],
  ['e', (s, cb) => s.listen({ fd: 3 }, cb)],
];
const [letter, listen] = forms[Number(process.env.XDAEMON_INSTANCE)];
const server = http.createServer((req, res) => res.end(letter));
server.on('error', (err) => console.log('SERVER ' + JSON.stringify({ letter, same: err.code })));
listen(server, () => console.log('SERVER ' + JSON.stringify({ letter, same: inode(server._handle.fd) === fd3 })));
`;

test('listen({ port, host }) and listen(port, host) for the held port take the held socket, whatever the host; another port, a path and { fd } are left alone', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  writeFileSync(join(dir, 'app.cjs'), FORMS_APP);
  const held = await freePort();
  const other = await freePort();
  const sock = join(dir, 'd.sock');
  await startDaemon(home, ['--name', 'forms', '--instances', '5', '--listen', `127.0.0.1:${held}`, '--', NODE, join(dir, 'app.cjs')], { env: { HELD: String(held), OTHER: String(other), SOCK: sock } });
  const { logFile } = await workerRunning(home, 'forms');
  const lines = await waitFor('the five servers\' lines', () => {
    const seen = records<{ letter: string; same: boolean | string }>(readText(logFile), 'SERVER');
    return seen.length === 5 ? seen : undefined;
  });
  const servers = Object.fromEntries(lines.map((l) => [l.letter, l.same]));
  assert.deepEqual(servers, { a: true, b: true, c: false, d: false, e: true }, 'a, b take the held socket (e is it); c and d bind their own');
  assert.equal(await get({ port: other }), 'c', 'another port: its own server');
  assert.equal(await get({ socketPath: sock }), 'd', 'a path: its own server');
  assert.match(await get({ port: held }), /^[abe]$/, 'the held port: one of the servers on the held socket');
});

/** Prints what listenHandle gives for each call, or the error's name and message. */
const HANDLE_APP = `'use strict';
const { listenHandle } = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))});
const out = (f) => { try { return f(); } catch (err) { return err.name + ': ' + err.message; } };
console.log('HANDLE ' + JSON.stringify({
  port: out(() => listenHandle('http', 8080)),
  options: out(() => listenHandle('http', { port: 0, host: '127.0.0.1' })),
  none: out(() => listenHandle()),
  env: process.env.LISTEN_FDS ?? null,
}));
const server = require('node:http').createServer((req, res) => res.end('fallback'));
server.listen(listenHandle('http', { port: 0, host: '127.0.0.1' }), () => console.log('PORT ' + server.address().port));
`;

test('listenHandle(name, fallback) outside a supervised worker gives the fallback, also when LISTEN_* name another process', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'handle.cjs'), HANDLE_APP);
  for (const env of [{}, { LISTEN_FDS: '1', LISTEN_FDNAMES: 'http', LISTEN_PID: String(process.pid) }]) {
    const proc = start(NODE, [join(dir, 'handle.cjs')], { env });
    try {
      const port = Number(await waitLine(proc, 'PORT'));
      const [seen] = records(proc.stdout, 'HANDLE');
      assert.deepEqual(seen, {
        port: 8080,
        options: { port: 0, host: '127.0.0.1' },
        none: 'XDaemonError: listenHandle: no listening socket was passed to this process and no fallback was given',
        env: (env as { LISTEN_FDS?: string }).LISTEN_FDS ?? null,
      });
      assert.equal(await get({ port }), 'fallback', 'it serves on the fallback');
    } finally {
      signal(proc.pid, 'SIGKILL');
      await proc.done;
    }
  }
});

/** A plain app serving `unix` on the held socket (a unix path: no port to match, so { fd: 3 }). */
const UNIX_APP = `require('node:http').createServer((req, res) => res.end('held')).listen({ fd: 3 });\n`;

test('a stale unix socket file (its server SIGKILLed) is replaced; a live one is left, and the start fails with EADDRINUSE', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  writeFileSync(join(dir, 'app.cjs'), UNIX_APP);
  const serve = (path: string, body: string): ReturnType<typeof start> =>
    start(NODE, ['-e', `require('node:http').createServer((q, s) => s.end(${JSON.stringify(body)})).listen(${JSON.stringify(path)}, () => console.log('UP 1'))`]);

  const stalePath = join(dir, 'stale.sock');
  const dead = serve(stalePath, 'dead');
  await waitLine(dead, 'UP');
  signal(dead.pid, 'SIGKILL');
  await dead.done;
  assert.ok(statSync(stalePath).isSocket(), 'the stale file is left');
  await startDaemon(home, ['--name', 'u', '--listen', `unix:${stalePath}`, '--', NODE, join(dir, 'app.cjs')]);
  await workerRunning(home, 'u');
  assert.equal(await waitForBody(stalePath), 'held', 'the supervisor\'s socket replaced the stale file');
  assert.equal(statSync(stalePath).mode & 0o777, 0o660);

  const livePath = join(dir, 'live.sock');
  const live = serve(livePath, 'live');
  t.after(() => signalOurs(live.pid, 'SIGKILL'));
  await waitLine(live, 'UP');
  const refused = await xd(home, ['start', '--name', 'v', '--listen', `unix:${livePath}`, '--', NODE, join(dir, 'app.cjs')]);
  assertCode(refused, 1, 'start on a live socket');
  assert.match(refused.stderr, /EADDRINUSE/);
  assert.equal(await get({ socketPath: livePath }), 'live', 'the live server still answers on its file');
  assert.ok(!isGone(live.pid));
});

/** The body at a unix socket once its worker serves. */
async function waitForBody(path: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await get({ socketPath: path });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

