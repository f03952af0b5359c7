/** Starting the next generation of this program: same command line, detached, output to the log. */
import type { ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { ENV_NAME } from '../generation.js';
import { openLogFile } from '../log/log-file.js';
import { programCommand } from './program.js';
import { spawnDetached, workingDirectory } from '../process/spawn-child.js';
import { tracer } from '../trace.js';

const trace = tracer('respawn');

/** Starts generation `index` of this program with its output in `logFile`. */
export function startGeneration(index: number, logFile: string): ChildProcess & { pid: number } {
  const command = programCommand();
  const cwd = workingDirectory();
  const fd = openLogFile(logFile);
  try {
    if (command.dropped.length > 0) trace('dropped debugger flags %o', command.dropped);
    const env: NodeJS.ProcessEnv = { ...process.env, [ENV_NAME]: String(index) };
    if (command.nodeOptions === undefined) delete env.NODE_OPTIONS;
    else env.NODE_OPTIONS = command.nodeOptions;
    const child = spawnDetached({ file: command.file, args: command.args, env, cwd, outputFd: fd });
    trace('call %d: started %s as pid %d', index, command.display, child.pid);
    return child;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
