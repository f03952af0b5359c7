/**
 * One run of a health check, from the supervisor: an HTTP GET, a TCP connect or a command. The GET
 * is written on a plain socket and only its status line is read: a check needs nothing else of the
 * answer, and node:http's client (its agent, parser and streams) would cost the supervisor ~1 MB
 * more and several times the CPU per check. Every run ends within its timeout and leaves nothing
 * behind (a command that outlives it is killed with its process group).
 */
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { HealthSpec } from './health-spec.js';

/** How a check ended: `ok`, and in a few words what it answered (`HTTP 200`, `ECONNREFUSED`, `exit code 1: …`). */
export interface ProbeResult {
  ok: boolean;
  answer: string;
}

/** What a command check gets besides the check. */
export interface ProbeContext {
  /** Environment and working directory of a command check (`XDAEMON_INSTANCE`, `XDAEMON_WORKER_PID` added). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  instance: number;
  workerPid: number;
}

/** Runs `spec` once; resolves (never rejects) within `timeout` ms. */
export function probe(spec: HealthSpec, timeout: number, context: ProbeContext): Promise<ProbeResult> {
  switch (spec.kind) {
    case 'http':
      return httpProbe(spec, timeout);
    case 'tcp':
      return tcpProbe(spec.host, spec.port, timeout);
    case 'exec':
      return execProbe(spec.command, timeout, context);
  }
}

/** A connect to `host:port` that passes once it is made. */
function tcpProbe(host: string, port: number, timeout: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => end({ ok: false, answer: `no connection within ${timeout} ms` }), timeout);
    const end = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => end({ ok: true, answer: 'connected' }));
    socket.once('error', (err: NodeJS.ErrnoException) => end({ ok: false, answer: err.code ?? err.message }));
  });
}

/** A GET of `path`; 2xx and 3xx pass. */
function httpProbe(spec: Extract<HealthSpec, { kind: 'http' }>, timeout: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: spec.host, port: spec.port });
    let head = '';
    let settled = false;
    const timer = setTimeout(() => end({ ok: false, answer: `no answer within ${timeout} ms` }), timeout);
    const end = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const hostHeader = spec.host.includes(':') ? `[${spec.host}]:${spec.port}` : `${spec.host}:${spec.port}`;
    socket.setEncoding('latin1');
    socket.once('connect', () => socket.write(`GET ${spec.path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: xdaemon-health\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk: string) => {
      head += chunk;
      const eol = head.indexOf('\r\n');
      if (eol < 0 && head.length < 1024) return;
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head);
      if (m === null) return end({ ok: false, answer: `not an HTTP answer: ${JSON.stringify(head.slice(0, 40))}` });
      const status = Number(m[1]);
      end({ ok: status >= 200 && status < 400, answer: `HTTP ${status}` });
    });
    socket.once('end', () => end({ ok: false, answer: head === '' ? 'connection closed without an answer' : `incomplete answer: ${JSON.stringify(head.slice(0, 40))}` }));
    socket.once('error', (err: NodeJS.ErrnoException) => end({ ok: false, answer: err.code ?? err.message }));
  });
}

/** `/bin/sh -c command`; exit 0 passes. Its first output line tells why it failed. */
function execProbe(command: string, timeout: number, context: ProbeContext): Promise<ProbeResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', command], {
        cwd: context.cwd,
        env: { ...context.env, XDAEMON_INSTANCE: String(context.instance), XDAEMON_WORKER_PID: String(context.workerPid) },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own group, so that a timeout reaches what it started too.
        detached: true,
      });
    } catch (err) {
      resolve({ ok: false, answer: `cannot run /bin/sh: ${(err as Error).message}` });
      return;
    }
    let output = '';
    const keep = (chunk: Buffer): void => {
      if (output.length < 200) output += chunk.toString('utf8');
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // gone already
      }
    }, timeout);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, answer: err.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const line = output.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 120);
      if (timedOut) return resolve({ ok: false, answer: `no exit within ${timeout} ms (killed)` });
      if (code === 0) return resolve({ ok: true, answer: 'exit code 0' });
      resolve({ ok: false, answer: `${signal === null ? `exit code ${code}` : `signal ${signal}`}${line === undefined ? '' : `: ${line}`}` });
    });
  });
}
