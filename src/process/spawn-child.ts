/** Starting a child process detached from this one, with its output going to a log (or into pipes). */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { XDaemonError, errorCode, messageOf } from '../errors.js';
import { findSetpriv, withParentDeath } from './parent-death.js';

type Spawn = (file: string, args: string[], options: SpawnOptions) => ChildProcess;

/** What to start and where its output goes. */
export interface ChildSpec {
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Descriptor for stdout and stderr; `undefined` discards them (unless `stdout`/`stderr` say otherwise). */
  outputFd?: number | undefined;
  /** Where stdout and stderr go, each: a descriptor, a pipe to this process, or nowhere. */
  stdout?: number | 'pipe' | 'ignore';
  stderr?: number | 'pipe' | 'ignore';
  /** Extra stdio entries after stdin, stdout, stderr (e.g. `'ipc'`). */
  extraStdio?: readonly ('ipc' | 'ignore' | 'pipe' | number)[];
  /**
   * Linux: start it through `setpriv --pdeathsig` (see ./parent-death), so that the kernel signals
   * it when this process dies; where setpriv is missing, it starts as without.
   */
  parentDeath?: boolean;
}

/** The working directory of this process, or an {@link XDaemonError} if it no longer exists. */
export function workingDirectory(): string {
  try {
    return process.cwd();
  } catch (err) {
    throw new XDaemonError(`cannot start a child: the working directory is gone (${messageOf(err)})`, {
      cause: err,
      code: errorCode(err),
    });
  }
}

/**
 * Starts `spec` in its own session (POSIX) or hidden (Windows), with no stdin. Throws an
 * {@link XDaemonError} naming the executable and the cause when it cannot be started, so the
 * caller learns of a failure synchronously, before anything detaches.
 */
export function spawnDetached(spec: ChildSpec): ChildProcess & { pid: number } {
  preflight(spec);
  const out = spec.outputFd ?? 'ignore';
  const stdout = spec.stdout ?? out;
  const stderr = spec.stderr ?? out;
  const spawn = spawner();
  const setpriv = spec.parentDeath === true ? findSetpriv() : undefined;
  const { file, args } = setpriv === undefined ? { file: spec.file, args: [...spec.args] } : withParentDeath(setpriv, spec.file, spec.args);
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      windowsHide: true,
      stdio: ['ignore', stdout, stderr, ...(spec.extraStdio ?? [])],
    });
  } catch (err) {
    throw startError(spec.file, err);
  }
  if (child.pid === undefined) {
    // The cause arrives as an 'error' event on the next tick; keep it from crashing the process.
    child.once('error', () => undefined);
    throw new XDaemonError(`cannot start ${JSON.stringify(spec.file)}: the system refused to create the process`, { reason: 'the system refused to create the process' });
  }
  return child as ChildProcess & { pid: number };
}

/** Checks what a spawn would otherwise report only asynchronously and vaguely. */
function preflight(spec: ChildSpec): void {
  try {
    accessSync(spec.file, constants.X_OK);
  } catch (err) {
    throw startError(spec.file, err);
  }
  let isDir = false;
  try {
    isDir = statSync(spec.cwd).isDirectory();
  } catch (err) {
    throw new XDaemonError(`cannot start ${JSON.stringify(spec.file)}: working directory ${JSON.stringify(spec.cwd)}: ${messageOf(err)}`, {
      cause: err,
      code: errorCode(err),
      reason: `working directory ${JSON.stringify(spec.cwd)}: ${messageOf(err)}`,
    });
  }
  if (!isDir) {
    const reason = `working directory ${JSON.stringify(spec.cwd)} is not a directory`;
    throw new XDaemonError(`cannot start ${JSON.stringify(spec.file)}: ${reason}`, { reason });
  }
}

function startError(file: string, err: unknown): XDaemonError {
  return new XDaemonError(`cannot start ${JSON.stringify(file)}: ${messageOf(err)}`, {
    cause: err,
    code: errorCode(err),
    reason: messageOf(err),
  });
}

/**
 * `cross-spawn` where it does something (Windows: PATHEXT, shebangs, cmd.exe quoting); on POSIX
 * it is a pass-through to Node's `spawn`, so the supervisor calls that directly and saves the
 * ~4.5 MB of RSS that loading cross-spawn and its dependencies costs (measured on Linux, Node 20).
 */
function spawner(): Spawn {
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (process.platform === 'win32') return require('cross-spawn') as Spawn;
  return (require('node:child_process') as typeof import('node:child_process')).spawn;
  /* eslint-enable @typescript-eslint/no-require-imports */
}
