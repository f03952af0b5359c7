/**
 * How the CLI shows daemons: the `list` table, the `status` lines, durations, and the LSB exit
 * code of a state. Pure functions of the library's status objects and the time, so that what a
 * user reads is tested without a process.
 */
import type { DaemonState, DaemonUsage } from '../control/status.js';
import type { InstanceHealth } from '../control/daemon-status.js';
import type { ServiceStatus } from '../service/backends/backend.js';
import { formatBytes } from '../process/proc-memory.js';
import type { NamedStatus } from '../fleet/daemons.js';
import { instanceRestarts, restartsOfEveryCause } from '../fleet/restart-count.js';

export { formatBytes };

/** LSB init-script status codes: 0 running, 1 dead with a pid file, 3 not running, 4 unknown. */
export const LSB = { running: 0, dead: 1, stopped: 3, unknown: 4 } as const;

/** The LSB code of a daemon's state (`restarting`: its supervisor runs, so 0; `errored`: not running, 3). */
export function lsbCode(state: DaemonState): number {
  return state === 'running' || state === 'restarting' ? LSB.running : state === 'dead' ? LSB.dead : LSB.stopped;
}

/** The exit code of `status` for several daemons: 0 when all run (or there are none), else 1 if one is dead, else 3. */
export function lsbCodeOfAll(states: readonly DaemonState[]): number {
  const codes = states.map(lsbCode);
  return codes.includes(LSB.dead) ? LSB.dead : codes.includes(LSB.stopped) ? LSB.stopped : LSB.running;
}

/** `3d 4h`, `5h 2m`, `4m 3s`, `12s` (two units at most; under a second: `0s`). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** How long ago `iso` was, as a duration, or undefined. */
function since(iso: string | undefined, now: number): string | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : formatDuration(now - t);
}

/** A daemon as `list` and `status --json` show it: the library's status plus its name. */
export type { NamedStatus };

/** CPU as a table cell: `12.5%`, or `-` when unknown. */
function cpuCell(s: { usage?: DaemonUsage | undefined }): string {
  return s.usage?.cpu === undefined ? '-' : `${s.usage.cpu.toFixed(1)}%`;
}

/** Health as a table cell: `healthy`, `starting`, `unhealthy`, `healthy (1 failed)`; `-` without a check. */
export function healthCell(h: InstanceHealth | undefined): string {
  if (h === undefined) return '-';
  return h.state === 'healthy' && (h.failures ?? 0) > 0 ? `healthy (${h.failures} failed)` : h.state;
}

/** `health` of `status NAME`: the state, and the last failure with its time. */
function healthText(h: InstanceHealth): string {
  const last = h.lastFailure === undefined ? '' : `; last failure at ${h.lastFailure.at}: ${h.lastFailure.reason}`;
  return `${healthCell(h)}${last}`;
}

/** The tree's memory (summed RSS) as a table cell, or `-` when unknown. */
function memoryCell(s: { usage?: DaemonUsage | undefined }): string {
  return s.usage?.rss === undefined ? '-' : formatBytes(s.usage.rss);
}

/**
 * The restarts as a cell: pm2's `↺` (every cause), also of a daemon that gave up (its state file
 * keeps its last counters); `-` for one that never ran here.
 */
function restartsCell(s: NamedStatus): string {
  return s.starts === 0 && s.instances === undefined ? '-' : String(restartsOfEveryCause(s));
}

/**
 * The `list` table: id (the place in the list), name, state (`errored`: it gave up; `stopped`: on
 * request, or done), pid, worker pid, uptime (of the worker), CPU and memory (of the worker's whole
 * tree), health, starts, restarts (of every cause: crashes, requests, reloads, memory, watch, cron;
 * see src/fleet/restart-count.ts), errors (failures in a row / allowed), log.
 */
export function listTable(rows: readonly NamedStatus[], now: number): string {
  // ID: the place in this list, which pm2's ids stand for (`xdaemon stop 0`).
  const head = ['ID', 'NAME', 'STATE', 'PID', 'WORKER', 'UPTIME', 'CPU', 'MEM', 'HEALTH', 'STARTS', 'RESTARTS', 'ERRORS', 'LOG'];
  const body = rows.map((r, id) => {
    const live = r.state === 'running' || r.state === 'restarting';
    return [
      String(id),
      r.name,
      r.unresponsive === true ? `${r.state}?` : r.state,
      r.pid === undefined ? '-' : String(r.pid),
      r.workerPid === undefined ? '-' : String(r.workerPid),
      (live ? since(r.workerStartedAt, now) : undefined) ?? '-',
      cpuCell(r),
      memoryCell(r),
      live ? healthCell(r.health) : '-',
      live ? String(r.starts) : '-',
      restartsCell(r),
      live ? `${r.errors}/${r.maxError}` : '-',
      r.logFile === '' ? '-' : r.logFile,
    ];
  });
  // A daemon of several instances: one more row per instance under its own.
  for (let at = rows.length - 1; at >= 0; at--) {
    const r = rows[at] as NamedStatus;
    const instances = r.state === 'running' || r.state === 'restarting' ? (r.instances ?? []) : [];
    if (instances.length < 2) continue;
    const sub = instances.map((i) => [
      '',
      `  ${r.name}[${i.instance}]`,
      i.restarting ? 'restarting' : i.ready ? 'ready' : 'running',
      '',
      i.workerPid === undefined ? '-' : String(i.workerPid),
      since(i.workerStartedAt, now) ?? '-',
      i.usage === undefined ? '' : cpuCell(i),
      i.usage === undefined ? '' : memoryCell(i),
      healthCell(i.health),
      String(i.starts),
      String(instanceRestarts(i)),
      `${i.errors}/${r.maxError}`,
      '',
    ]);
    body.splice(at + 1, 0, ...sub);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

/** One line per daemon for `status` without a name: `web: running (supervisor 1234, worker 1240, up 5m 3s)`. */
export function summaryLine(s: NamedStatus, now: number): string {
  const parts: string[] = [];
  if (s.state === 'running' || s.state === 'restarting') {
    parts.push(`supervisor ${s.pid ?? '?'}`);
    const instances = s.instances ?? [];
    if (instances.length > 1) {
      const restarting = instances.filter((i) => i.restarting).map((i) => i.instance);
      parts.push(`${instances.length} instances${restarting.length === 0 ? '' : `, restarting: ${restarting.join(', ')}`}`);
      parts.push(`workers ${instances.map((i) => i.workerPid ?? '-').join(', ')}`);
    } else if (s.workerPid !== undefined) parts.push(`worker ${s.workerPid}`);
    const up = since(s.workerStartedAt, now);
    if (up !== undefined) parts.push(`up ${up}`);
    if (s.usage?.cpu !== undefined) parts.push(`cpu ${cpuCell(s)}`);
    if (s.usage?.rss !== undefined) parts.push(`mem ${memoryCell(s)}`);
    if (s.unresponsive === true) parts.push('not answering');
  } else if (s.state === 'dead') {
    parts.push(`supervisor ${s.pid ?? '?'} is gone, its pid file is left`);
  } else if (s.ended !== undefined) {
    parts.push(endedText(s.ended.reason));
    const ago = since(s.ended.at, now);
    if (ago !== undefined) parts.push(`${ago} ago`);
  }
  return `${s.name}: ${s.state}${parts.length === 0 ? '' : ` (${parts.join(', ')})`}`;
}

/** How a run ended, for a line: the supervisor's last words without Go's counters, a stop `on request`. */
export function endedText(reason: string): string {
  const plain = reason.replace(/ \(count [^)]*\)$/, '');
  return plain === 'stopped' ? 'on request' : plain;
}

/** `status NAME`: the state, then one labelled line per fact; `tail`: the log's last lines, shown after them. */
export function statusLines(s: NamedStatus, cwd: string | undefined, now: number, tail: readonly string[] = []): string {
  const rows: [string, string][] = [];
  const at = (iso: string | undefined): string => (iso === undefined ? '' : ` since ${iso} (up ${since(iso, now) ?? '?'})`);
  if (s.state === 'running' || s.state === 'restarting') {
    rows.push(['supervisor', `${s.pid ?? '?'}${at(s.startedAt)}${s.unresponsive === true ? ', not answering' : ''}`]);
    rows.push(['worker', s.workerPid === undefined ? '-' : `${s.workerPid}${at(s.workerStartedAt)}${s.ready === true ? ', ready' : ''}`]);
    const total = restartsOfEveryCause(s);
    const reloads = s.reloads ?? 0;
    rows.push(['restarts', `${total} (after an exit ${total - s.restarts - reloads}, requested ${s.restarts}, reloads ${reloads})`]);
    rows.push(['failures', `${s.errors} in a row (maxError ${s.maxError}); starts ${s.starts}${s.maxCount === 0 ? '' : ` of maxCount ${s.maxCount}`}`]);
    const instances = s.instances ?? [];
    if (instances.length > 1) {
      for (const i of instances) {
        const state = i.restarting ? 'restarting' : i.ready ? 'ready' : 'running';
        const pid = i.workerPid === undefined ? 'no worker' : `pid ${i.workerPid}${at(i.workerStartedAt)}`;
        const usage = i.usage?.rss === undefined ? '' : `, cpu ${cpuCell(i)}, mem ${memoryCell(i)}`;
        const health = i.health === undefined ? '' : `, ${healthCell(i.health)}`;
        rows.push([`instance ${i.instance}`, `${pid}, ${state}${health}, starts ${i.starts}, restarts ${i.restarts}, errors ${i.errors}${i.reloads > 0 ? `, reloads ${i.reloads}` : ''}${usage}`]);
      }
    }
    if (s.health !== undefined) rows.push(['health', healthText(s.health)]);
    if (s.reloading === true) rows.push(['reload', 'under way']);
    for (const l of s.listen ?? []) rows.push(['listen', `${l.address} (${l.name})`]);
    rows.push(...usageRows(s));
  } else if (s.state === 'dead') {
    rows.push(['supervisor', `${s.pid ?? '?'} is gone (killed?); its pid file is left: xdaemon stop ${s.name} cleans up`]);
    if (s.leftovers !== undefined) rows.push(['leftovers', `still running: ${s.leftovers.join(', ')}`]);
  }
  if (s.lastExit !== undefined) {
    const how = s.lastExit.signal === null ? `code ${s.lastExit.code}` : `signal ${s.lastExit.signal}`;
    rows.push(['last exit', `${how} after ${s.lastExit.seconds.toFixed(3)} s at ${s.lastExit.at}`]);
  }
  if (s.ended !== undefined && (s.state === 'stopped' || s.state === 'errored')) rows.push(['ended', `${s.ended.at}: ${endedText(s.ended.reason)}`]);
  if (s.state === 'stopped' || s.state === 'errored') {
    const restarts = restartsOfEveryCause(s);
    if (restarts > 0) rows.push(['restarts', String(restarts)]);
  }
  if (s.command.length > 0) rows.push(['command', s.command.map(quote).join(' ')]);
  if (cwd !== undefined) rows.push(['cwd', cwd]);
  rows.push(['log', s.logFile === '' ? '-' : s.logFile]);
  rows.push(['pid file', s.pidFile]);
  const last = tail.length === 0 ? [] : [`  last lines of the log:`, ...tail.map((l) => `    ${l}`)];
  return [`${s.name}: ${s.state}`, ...rows.map(([k, v]) => `  ${k.padEnd(10)}  ${v}`), ...last].join('\n');
}

/** The `cpu` and `memory` lines of `status NAME`: the worker's tree, then the supervisor's own. */
function usageRows(s: NamedStatus): [string, string][] {
  const u = s.usage;
  if (u === undefined) return [['usage', 'unknown (neither /proc nor ps here)']];
  const rows: [string, string][] = [];
  if (u.processes !== undefined) {
    const window = u.cpuWindow === undefined ? '' : ` over the last ${u.cpuWindow.toFixed(1)} s`;
    rows.push(['cpu', `${u.cpu === undefined ? 'unknown (no recent sample)' : `${u.cpu.toFixed(1)}% of a core${window}`}, ${u.processes} process(es)`]);
    const pss = u.pss === undefined ? '' : `, PSS ${formatBytes(u.pss)}`;
    rows.push(['memory', `RSS ${u.rss === undefined ? '?' : formatBytes(u.rss)}${pss} (the worker's whole tree); supervisor RSS ${formatBytes(u.supervisorRss ?? 0)}`]);
  } else if (u.supervisorRss !== undefined) {
    rows.push(['memory', `supervisor RSS ${formatBytes(u.supervisorRss)}`]);
  }
  return rows;
}

/** `service web (systemd, user): running (active/running), pid 999`. */
export function serviceLine(s: ServiceStatus, userService: boolean): string {
  const pid = s.pid === undefined ? '' : `, pid ${s.pid}`;
  const restarts = s.restarts === undefined ? '' : `, restarts ${s.restarts}`;
  return `service ${s.name} (${s.backend}${userService ? ', user' : ''}): ${s.state} (${s.detail})${pid}${restarts}`;
}

/** An argument as a shell user would type it. */
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
