// `npm run test:system`: the system suite (test/system/*.system.ts) under real systemd user
// managers. First a probe: where this machine cannot host the sandbox (the script exits 3: not
// root, no systemd, no usable cgroup hierarchy) the suite is skipped with one line, exit 0; any
// other failure of the probe is a failure. Then the suite, two files at a time (measured: see the
// README's Development section), and a last check that no sandbox cgroup is left anywhere.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sandbox = join(here, 'systemd-user-sandbox');
const probe = mkdtempSync(join(tmpdir(), 'xdaemon-probe-'));
const started = spawnSync(sandbox, ['start', probe], { encoding: 'utf8' });
spawnSync(sandbox, ['stop', probe]);
rmSync(probe, { recursive: true, force: true });
if (started.status === 3) {
  console.log(`test:system: skipped: this machine cannot host a systemd user manager (${started.stderr.trim().replace(/^systemd-user-sandbox: /, '')})`);
  process.exit(0);
}
if (started.status !== 0) {
  console.error(`test:system: the sandbox does not start (exit ${started.status}): ${started.stderr.trim()}`);
  process.exit(1);
}
const files = readdirSync(here).filter((f) => f.endsWith('.system.ts')).sort().map((f) => join(here, f));
const concurrency = process.env.SYSTEM_CONCURRENCY ?? '2';
// Arguments: test files (default: every one) and node:test flags (--test-name-pattern=…). A test
// that hangs ends at --test-timeout (as in `npm test`; a test's own { timeout } goes first).
const given = process.argv.slice(2);
const flags = given.filter((a) => a.startsWith('-'));
const named = given.filter((a) => !a.startsWith('-'));
const suite = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...flags, ...(named.length > 0 ? named : files)], { stdio: 'inherit' });
// Where the script makes its cgroups: under this process's own cgroup in the hierarchies without controllers.
const left = [];
for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean)) {
  const [id, controllers, path] = [line.slice(0, line.indexOf(':')), line.split(':')[1], line.split(':').slice(2).join(':')];
  const roots = controllers === 'name=systemd' ? ['/sys/fs/cgroup/systemd'] : id === '0' && controllers === '' ? ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'] : [];
  for (const root of roots) {
    try {
      for (const name of readdirSync(join(root, path))) if (name.startsWith('xdsandbox-')) left.push(join(root, path, name));
    } catch {
      // no such hierarchy here
    }
  }
}
if (left.length > 0) {
  console.error(`test:system: sandbox cgroups left behind: ${left.join(', ')}`);
  process.exit(1);
}
process.exit(suite.status ?? 1);
