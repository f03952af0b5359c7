/**
 * The memory of one process from Linux's /proc (its RSS, and its PSS where `smaps_rollup` can be
 * read), and how a size is written: what the tree strategies sum and the log and the CLI print.
 * Elsewhere every answer is undefined ("unknown").
 */
import { readFileSync } from 'node:fs';
import { HAS_PROC } from './proc.js';

/** The resident set size of `pid` in bytes (VmRSS of /proc/PID/status), or undefined. */
export function rssOf(pid: number): number | undefined {
  if (!HAS_PROC) return undefined;
  return kbField(read(`/proc/${pid}/status`), 'VmRSS');
}

/** Rss and Pss of `pid` from /proc/PID/smaps_rollup (Linux 4.14+; own processes only), bytes. */
export function memoryOf(pid: number): { rss?: number; pss?: number } | undefined {
  const text = read(`/proc/${pid}/smaps_rollup`);
  if (text === undefined) return undefined;
  const rss = kbField(text, 'Rss');
  const pss = kbField(text, 'Pss');
  return { ...(rss === undefined ? {} : { rss }), ...(pss === undefined ? {} : { pss }) };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** `Name:   1234 kB` of a /proc text, in bytes. */
function kbField(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const at = text.indexOf(`\n${name}:`);
  const start = at >= 0 ? at + name.length + 2 : text.startsWith(`${name}:`) ? name.length + 1 : -1;
  if (start < 0) return undefined;
  const kb = Number.parseInt(text.slice(start, text.indexOf('\n', start) >>> 0).trim(), 10);
  return Number.isFinite(kb) ? kb * 1024 : undefined;
}

/** `512 B`, `12.0 KB`, `530.2 MB`, `1.5 GB` (1024-based, as sizes are given to --max-size and --max-memory). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit] as string}`;
}
