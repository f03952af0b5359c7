/**
 * Readiness of installed services under a real systemd (`install --wait-ready`, `Type=notify`):
 * `systemctl start` returns once a Node program called `ready()`, or once a shell program ran the
 * line the README documents (the same line works under `xdaemon start --wait-ready`); a program
 * that is never ready is given up (`failed`, the start limit hit) instead of retried forever.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { assertCode } from '../support/cli';
import { ROOT, cleanup, tempDir } from '../support/fixtures';
import { freePort } from '../support/harness';
import { NODE, SYSTEM_FIXTURES, get, openSandbox, systemTest, unitState } from './sandbox';

after(cleanup);

const WEB = join(SYSTEM_FIXTURES, 'web.cjs');
const READY_SH = join(SYSTEM_FIXTURES, 'ready.sh');

/** The shell readiness line of the README (the one a user copies). */
function readmeReadyLine(): string {
  const line = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').find((l) => l.includes('READY=1 >&"$XDAEMON_READY_FD"') && !l.includes('`'));
  assert.ok(line !== undefined, 'the README shows a shell readiness line');
  const file = join(tempDir(), 'ready-line.sh');
  writeFileSync(file, `${line}\n`);
  return file;
}

systemTest('a Node program: systemctl start returns once it called ready(), and it serves then', async (t) => {
  const sb = await openSandbox(t);
  const port = await freePort();
  // The fixture listens (and calls ready()) only after a second of work.
  assertCode(await sb.xd(['install', '--user', '--name', 'node-ready', '--wait-ready', '20000', '--env', 'WEB_DELAY=1000', '--', NODE, WEB, `port:${port}`]), 0);
  const began = Date.now();
  assertCode(await sb.systemctl('start', 'node-ready.service'), 0);
  const took = Date.now() - began;
  assert.ok(took >= 1000, `start waited for ready(): ${took} ms`);
  const answer = await get(port);
  assert.ok('body' in answer && answer.status === 200, `it serves as soon as start returns: ${JSON.stringify(answer)}`);
});

systemTest("a shell program: the README's readiness line works under systemd and under xdaemon start", async (t) => {
  const sb = await openSandbox(t);
  const line = readmeReadyLine();
  const env = ['--env', `READY_LINE_FILE=${line}`, '--env', 'READY_DELAY=0.5'];
  assertCode(await sb.xd(['install', '--user', '--name', 'sh-ready', '--wait-ready', '10000', ...env, '--', READY_SH]), 0);
  const started = await sb.systemctl('start', 'sh-ready.service');
  assertCode(started, 0, `systemctl start (the manager said: ${sb.managerLog().split('\n').filter((l) => l.includes('sh-ready')).join(' | ')})`);
  assert.equal((await sb.show('sh-ready.service')).ActiveState, 'active');

  const daemon = await sb.xd(['start', '--name', 'sh-daemon', '--wait-ready', '10000', ...env, '--', READY_SH]);
  assertCode(daemon, 0);
  assert.match(daemon.stdout, /^started sh-daemon: supervisor \d+, log .*, worker \d+ ready after/m);
});

systemTest('a program that is never ready: given up after the start limit (failed), not retried forever', async (t) => {
  const sb = await openSandbox(t);
  // Each try takes the readiness timeout: 5 tries span more than the plain 10 s window.
  assertCode(await sb.xd(['install', '--user', '--name', 'silent', '--wait-ready', '2600', '--restart-delay', '100', '--env', 'WEB_SILENT=1', '--', NODE, WEB]), 0);
  assertCode(await sb.systemctl('start', '--no-block', 'silent.service'), 0);
  // failed, not activating/auto-restart: with Restart=always only the start limit makes systemd give up.
  await unitState(sb, 'silent.service', (p) => p.ActiveState === 'failed', 40_000);
  const status = await sb.xd(['status', 'silent']);
  assert.equal(status.code, 3, status.stdout);
  assert.match(status.stdout, /service silent.*failed/);
}, 60_000);
