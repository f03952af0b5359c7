/**
 * The systemd unit of a service, as text: a pure function of the options. Every value is written
 * the way systemd reads it back (systemd.syntax(7), systemd.service(5), systemd.exec(5)), so the
 * program gets exactly the argv and environment it was given and no value can add a directive:
 *
 * - `ExecStart=`: each word in double quotes with C-style escapes (`\\`, `\"`, `\n`, `\xNN`, …),
 *   `%` doubled (specifiers are expanded after unquoting) and `$` doubled (variables are expanded
 *   when the command runs);
 * - `Environment=`: one quoted `NAME=value` per line, C-style escapes, `%` doubled (`$` means
 *   nothing there);
 * - single-value settings (`Description=`, `WorkingDirectory=`, `User=`, `append:` paths) are not
 *   unquoted by systemd: `%` is doubled and anything a line cannot carry (a control character,
 *   surrounding blanks, a trailing backslash that would join the next line) is refused.
 */
import { isIP } from 'node:net';
import { XDaemonError } from '../errors.js';
import type { ListenAddress } from '../socket/address.js';
import { type ServiceConfig, type ServiceOptions, checkPosixUser, requireAbsoluteCommand, resolveServiceConfig } from './options.js';

/** Starts allowed within the start-limit window before systemd marks a crash-looping unit failed. */
export const START_LIMIT_BURST = 5;

/** The start-limit window in ms: 10 s plus, per allowed start, the restart delay and the readiness timeout. */
export function startLimitWindow(c: Pick<ServiceConfig, 'restartDelay' | 'waitReady' | 'oneshot'>): number {
  return 10_000 + START_LIMIT_BURST * (c.restartDelay + (c.oneshot ? 0 : c.waitReady));
}

/**
 * Renders the unit file of a service (`NAME.service`). Pure: the same options give the same text.
 * Relative paths are resolved against the current directory and an unset command is this program;
 * the command must then be an absolute path (`Service#install` looks a bare name up in PATH).
 *
 * @throws TypeError/RangeError for bad options; XDaemonError for a value a unit file cannot hold.
 */
export function renderSystemdUnit(options: ServiceOptions): string {
  return systemdUnit(resolveServiceConfig(options));
}

/** The unit file of a resolved configuration. */
export function systemdUnit(c: ServiceConfig): string {
  requireAbsoluteCommand(c);
  if (c.command.includes('$')) {
    throw new XDaemonError(`a systemd unit cannot run a command whose path holds "$": ${JSON.stringify(c.command)}`);
  }
  if (c.user !== undefined) checkPosixUser(c.user, 'systemd');
  const seconds = (ms: number): string => String(ms / 1000);
  const unit = [
    `# ${c.name}.service: written by xdaemon (Service#install). Install again rather than edit it.`,
    '[Unit]',
    `Description=${plainValue('Description', c.description)}`,
  ];
  // The socket units hold the listening sockets; the service gets them whenever it starts.
  const sockets = systemdSocketUnits(c).map((s) => s.unit);
  if (sockets.length > 0) unit.push(`Requires=${sockets.join(' ')}`, `After=${sockets.join(' ')}`);
  // A user manager has no network-online.target.
  if (!c.userService) unit.push('After=network-online.target', 'Wants=network-online.target');
  // The window grows with what one failed try can take (the restart delay, and with readiness its
  // timeout: a program never ready fails each try only then), so that 5 failures in a row always
  // trip it. A window of 10 s + 5 × the delay alone never held 5 tries of a program never ready:
  // it was retried forever (test/system/readiness.system.ts).
  unit.push(`StartLimitIntervalSec=${seconds(startLimitWindow(c))}`, `StartLimitBurst=${START_LIMIT_BURST}`);
  unit.push('', '[Service]');
  if (c.oneshot) {
    // Active once the command has run, so that a stop (shutdown, logout) runs ExecStop=.
    unit.push('Type=oneshot', 'RemainAfterExit=yes');
  } else if (c.waitReady > 0) {
    // ready() runs systemd-notify, a child process: systemd must accept READY=1 from any process of the unit.
    unit.push('Type=notify', 'NotifyAccess=all', `TimeoutStartSec=${seconds(c.waitReady)}`);
  } else {
    unit.push('Type=exec');
  }
  if (sockets.length > 0) unit.push(`Sockets=${sockets.join(' ')}`);
  unit.push(`ExecStart=${[c.command, ...c.args].map(execWord).join(' ')}`);
  if (c.stopArgs.length > 0) unit.push(`ExecStop=${[c.command, ...c.stopArgs].map(execWord).join(' ')}`);
  unit.push(`WorkingDirectory=${plainValue('WorkingDirectory', c.workingDirectory)}`);
  for (const [name, value] of Object.entries(c.env)) unit.push(`Environment=${quoted(`${name}=${value}`.replace(/%/g, '%%'))}`);
  if (c.user !== undefined) unit.push(`User=${plainValue('User', c.user)}`);
  if (!c.oneshot) unit.push(`Restart=${c.restart === 'never' ? 'no' : c.restart}`, `RestartSec=${seconds(c.restartDelay)}`);
  // What killMode 'group' promises everywhere else: SIGTERM to every process of the unit, SIGKILL
  // to what is left after the timeout. `mixed` sends SIGTERM to the main process alone and SIGKILLs
  // the rest the moment it exits: `npm start`'s script never got to stop gracefully (measured under
  // a real manager: 0.07 s, test/system/stop.system.ts). A oneshot's stop command runs first.
  // TimeoutStopSec=0 would mean "no timeout", so killTimeout 0 is written as 1 ms.
  unit.push('KillMode=control-group', `TimeoutStopSec=${seconds(Math.max(1, c.killTimeout))}`);
  if (c.logFile !== undefined) unit.push(`StandardOutput=append:${plainValue('logFile', c.logFile)}`);
  if (c.errFile !== undefined) unit.push(`StandardError=append:${plainValue('errFile', c.errFile)}`);
  unit.push('', '[Install]', `WantedBy=${c.userService ? 'default.target' : 'multi-user.target'}`, '');
  return unit.join('\n');
}

/** A socket unit of a service: its file name (`web.socket`) and content. */
export interface SocketUnit {
  unit: string;
  content: string;
}

/**
 * The socket units beside the service, when it has `listen` addresses: systemd binds them and
 * passes them to the program as descriptors 3, 4, … (`LISTEN_FDS`, `LISTEN_FDNAMES`). A socket
 * unit gives every descriptor it holds one name (`FileDescriptorName=`), so the addresses are
 * split as their names ask:
 *
 * - none named: one unit, `NAME.socket`, its `ListenStream=` lines in the order given (the program
 *   tells them apart by that order, as it would under `xdaemon start`);
 * - one address, named: `NAME.socket` with its name;
 * - several, one of them named: a unit per address, `NAME-FDNAME.socket`, each with its name (an
 *   unnamed one is `listenN` as everywhere else), since systemd passes the descriptors of several
 *   units in no set order: only the names tell them apart (`listenHandle('http')`).
 *
 * Unix sockets get mode 0660 and are removed when the unit stops.
 */
export function systemdSocketUnits(c: ServiceConfig): SocketUnit[] {
  if (c.listen.length === 0) return [];
  const named = c.listen.some((a) => !isDefaultName(a.name));
  if (!named) return [{ unit: `${c.name}.socket`, content: socketUnit(c, c.listen, undefined) }];
  if (c.listen.length === 1) return [{ unit: `${c.name}.socket`, content: socketUnit(c, c.listen, (c.listen[0] as ListenAddress).name) }];
  return c.listen.map((a) => {
    // `@` would make the unit a template's instance: it is written as systemd-escape writes it.
    const unit = `${c.name}-${a.name.replace(/@/g, '\\x40')}.socket`;
    if (unit.length > 255) throw new XDaemonError(`the socket unit of listen address ${JSON.stringify(a.text)} would have a name longer than systemd takes (255): ${unit}`);
    return { unit, content: socketUnit(c, [a], a.name) };
  });
}

/** True for the name an address gets when none is given (`listen0`, …). */
function isDefaultName(name: string): boolean {
  return /^listen\d+$/.test(name);
}

/** One socket unit holding `addresses`, all of its descriptors named `fdName` (undefined: systemd's default, the unit's name). */
function socketUnit(c: ServiceConfig, addresses: readonly ListenAddress[], fdName: string | undefined): string {
  const unit = [
    `# written by xdaemon (Service#install) beside ${c.name}.service. Install again rather than edit it.`,
    '[Unit]',
    `Description=${plainValue('Description', `Sockets of ${c.description}`)}`,
    '',
    '[Socket]',
  ];
  for (const a of addresses) {
    if (a.kind === 'tcp' && a.host !== '' && isIP(a.host) === 0) {
      throw new XDaemonError(`a systemd socket unit listens on addresses, not host names: ${JSON.stringify(a.text)} (write the IP address)`);
    }
    const where = a.kind === 'unix' ? a.path : a.host === '' ? String(a.port) : a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
    unit.push(`ListenStream=${plainValue('listen', where)}`);
  }
  if (addresses.some((a) => a.kind === 'unix')) unit.push('SocketMode=0660', 'RemoveOnStop=yes');
  if (fdName !== undefined) unit.push(`FileDescriptorName=${fdName}`);
  unit.push(`Service=${c.name}.service`, '', '[Install]', 'WantedBy=sockets.target', '');
  return unit.join('\n');
}

/** The socket units a unit written by {@link systemdUnit} takes its descriptors from (its `Sockets=`). */
export function unitSockets(unit: string): string[] {
  const line = unit.split('\n').find((l) => l.startsWith('Sockets='));
  return line === undefined ? [] : line.slice('Sockets='.length).split(/\s+/).filter(Boolean);
}

/** One word of a command line: `$` and `%` doubled, then quoted. */
function execWord(word: string): string {
  return quoted(word.replace(/\$/g, '$$$$').replace(/%/g, '%%'));
}

/** A double-quoted item with C-style escapes (systemd.syntax(7) "Quoting"). */
function quoted(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    // \xNN would be a raw byte (invalid UTF-8) above 0x7f: C1 controls go as code points.
    else if (code >= 0x80 && code <= 0x9f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * A value systemd takes verbatim to the end of the line (after specifier expansion): `%` doubled;
 * refused when the line cannot carry it unchanged.
 */
function plainValue(setting: string, value: string): string {
  const refuse = (why: string): XDaemonError =>
    new XDaemonError(`${setting} ${JSON.stringify(value)} cannot be written to a systemd unit: ${why}`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) throw refuse('it holds a control character');
  if (value !== value.trim()) throw refuse('systemd strips leading and trailing blanks');
  if (value.endsWith('\\')) throw refuse('a trailing backslash joins the next line');
  return value.replace(/%/g, '%%');
}

/** The file of `StandardOutput=append:` (or StandardError) in a unit written by {@link systemdUnit}, if it has one. */
export function unitAppendPath(unit: string, setting: 'StandardOutput' | 'StandardError'): string | undefined {
  const line = unit.split('\n').find((l) => l.startsWith(`${setting}=append:`));
  return line === undefined ? undefined : line.slice(`${setting}=append:`.length).replace(/%%/g, '%');
}

/**
 * The executable a unit written by {@link systemdUnit} runs (the first word of its `ExecStart=`),
 * or undefined when the text has none. Reads back only what this module writes.
 */
export function unitExecutable(unit: string): string | undefined {
  return unitExecWords(unit)[0];
}

/** The words of the `ExecStart=` of a unit written by {@link systemdUnit} (none when it has none). */
export function unitExecWords(unit: string): string[] {
  const line = unit.split('\n').find((l) => l.startsWith('ExecStart="'));
  if (line === undefined) return [];
  const body = line.slice('ExecStart='.length);
  const words: string[] = [];
  let out = '';
  let inWord = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (!inWord) {
      if (ch === '"') inWord = true;
      continue;
    }
    if (ch === '"') {
      words.push(out.replace(/%%/g, '%').replace(/\$\$/g, '$'));
      out = '';
      inWord = false;
      continue;
    }
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    const hex = (n: number): string => {
      const text = String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + n), 16));
      i += n;
      return text;
    };
    if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else if (next === 't') out += '\t';
    else if (next === 'x') out += hex(2);
    else if (next === 'u') out += hex(4);
    else out += next ?? '';
  }
  return words;
}
