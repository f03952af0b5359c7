/**
 * The number of CPUs this process may use, for `instances: 'max'`: what the kernel lets it run on
 * (`os.availableParallelism()`: the affinity mask) and what its cgroup's CPU quota allows (v2
 * `cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`, the tightest along the cgroup's path up
 * to the root), the smaller. In a container limited to 2 CPUs on a 64-core host that is 2, where
 * `os.cpus().length` says 64 (pm2's #4905). A fractional quota is rounded up (1.5 CPUs: 2 workers,
 * as the JVM and .NET count it): the workers then share the quota rather than leave half a CPU idle.
 * The reading of the files is pure and apart, so that it is tested with fixture files.
 */
import { readFileSync } from 'node:fs';

/** Reads a file as text, or undefined (tests give their own). */
export type ReadText = (path: string) => string | undefined;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** CPUs from a quota and a period in microseconds (undefined: no limit). */
function fromQuota(quota: number, period: number): number | undefined {
  if (!(quota > 0) || !(period > 0)) return undefined;
  return Math.max(1, Math.ceil(quota / period));
}

/** `a/b/c` → [`a/b/c`, `a/b`, `a`, ``]: a cgroup and its ancestors, as paths under the hierarchy's mount. */
function upwards(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/')).concat('');
}

/**
 * The CPU limit of the cgroup that `/proc/self/cgroup` (`cgroupText`) names, from the files `read`
 * finds under `root` (default `/sys/fs/cgroup`); undefined when there is none.
 */
export function cgroupCpuLimit(cgroupText: string, read: ReadText = readText, root = '/sys/fs/cgroup'): number | undefined {
  let limit: number | undefined;
  const tighter = (n: number | undefined): void => {
    if (n !== undefined && (limit === undefined || n < limit)) limit = n;
  };
  for (const line of cgroupText.split('\n')) {
    // "hierarchy-ID:controller-list:path"; v2's unified line is "0::/path".
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (m === null) continue;
    const [, id, controllers, path] = m as unknown as [string, string, string, string];
    if (id === '0' && controllers === '') {
      for (const dir of upwards(path)) {
        const max = read(`${root}/${dir}/cpu.max`.replace(/\/+/g, '/'))?.trim().split(/\s+/);
        if (max !== undefined && max[0] !== 'max') tighter(fromQuota(Number(max[0]), Number(max[1] ?? 100_000)));
      }
    } else if (controllers.split(',').includes('cpu')) {
      for (const mount of [controllers, 'cpu', 'cpu,cpuacct']) {
        for (const dir of upwards(path)) {
          const base = `${root}/${mount}/${dir}`.replace(/\/+/g, '/').replace(/\/$/, '');
          const quota = read(`${base}/cpu.cfs_quota_us`);
          if (quota !== undefined) tighter(fromQuota(Number(quota.trim()), Number(read(`${base}/cpu.cfs_period_us`)?.trim() ?? 100_000)));
        }
      }
    }
  }
  return limit;
}

/** The CPUs this process may use: the affinity and the cgroup quota, the smaller; at least 1. */
export function usableCpus(read: ReadText = readText, root?: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = require('node:os') as typeof import('node:os');
  const affinity = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const quota = process.platform === 'linux' ? cgroupCpuLimit(read('/proc/self/cgroup') ?? '', read, root) : undefined;
  return Math.max(1, Math.min(affinity, quota ?? affinity));
}
