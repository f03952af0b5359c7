/** `instances: 'max'`: the CPUs a process may use, its cgroup's quota read from fixture files (v1 and v2). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availableParallelism } from 'node:os';
import { cgroupCpuLimit, usableCpus } from '../../src/process/cpu-count';

const files = (entries: Record<string, string>) => (path: string) => entries[path];

test('cgroup v2: cpu.max of the cgroup and its ancestors, the tightest, rounded up', () => {
  const read = files({ '/sys/fs/cgroup/kubepods/pod1/cpu.max': '150000 100000\n', '/sys/fs/cgroup/kubepods/cpu.max': '400000 100000\n', '/sys/fs/cgroup/cpu.max': 'max 100000\n' });
  assert.equal(cgroupCpuLimit('0::/kubepods/pod1\n', read), 2);
  assert.equal(cgroupCpuLimit('0::/\n', files({ '/sys/fs/cgroup/cpu.max': '200000 100000' })), 2, 'a container with its own cgroup namespace sees its cgroup as /');
  assert.equal(cgroupCpuLimit('0::/x\n', files({ '/sys/fs/cgroup/x/cpu.max': 'max 100000' })), undefined, 'max: no limit');
  assert.equal(cgroupCpuLimit('0::/x\n', files({ '/sys/fs/cgroup/x/cpu.max': '50000 100000' })), 1, 'half a CPU: one worker');
});

test('cgroup v1: cpu.cfs_quota_us / cpu.cfs_period_us under the cpu controller; -1 is no limit', () => {
  const v1 = '12:pids:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n';
  const read = files({ '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '300000\n', '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n' });
  assert.equal(cgroupCpuLimit(v1, read), 3);
  assert.equal(cgroupCpuLimit(v1, files({ '/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us': '-1', '/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us': '100000' })), undefined);
});

test('the affinity and the quota, the smaller; at least one', () => {
  const host = availableParallelism();
  assert.equal(usableCpus(files({ '/proc/self/cgroup': '0::/c\n', '/sys/fs/cgroup/c/cpu.max': '100000 100000' })), process.platform === 'linux' ? 1 : host);
  assert.equal(usableCpus(files({ '/proc/self/cgroup': '0::/c\n', '/sys/fs/cgroup/c/cpu.max': `${(host + 8) * 100000} 100000` })), host);
  assert.equal(usableCpus(() => undefined), host, 'no cgroup files: the affinity');
});
