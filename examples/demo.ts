// npm run demo: start a daemon whose worker crashes three times, show the restarts from its log,
// then stop it with SIGTERM and check that nothing is left running.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'xdaemon-demo-'));
const log = join(dir, 'demo.log');
const server = join(__dirname, 'crashing-server.ts');

const read = (): string => {
  try {
    return readFileSync(log, 'utf8');
  } catch {
    return '';
  }
};
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    if (process.platform === 'linux') return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let shown = 0;
function show(): void {
  const lines = read().split('\n').slice(0, -1);
  for (const line of lines.slice(shown)) console.log(`  | ${line}`);
  shown = lines.length;
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    show();
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await sleep(50);
  }
  show();
}

async function main(): Promise<void> {
  console.log(`$ node --import tsx examples/crashing-server.ts ${log}`);
  const launcher = spawn(process.execPath, ['--import', 'tsx', server, log], { stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  launcher.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    process.stdout.write(d);
  });
  const code = await new Promise<number | null>((r) => launcher.once('exit', (c) => r(c)));
  console.log(`launcher exited with code ${code}; the shell prompt is back. The log (${log}):`);
  const supervisor = Number(/started supervisor (\d+)/.exec(stderr)?.[1]);
  if (code !== 0 || !supervisor) throw new Error('demo: the launcher failed');

  const count = (re: RegExp): number => read().split('\n').filter((l) => re.test(l)).length;
  await until('the fourth worker to listen', () => count(/listening on/) >= 4, 30_000);
  const worker = Number(/worker started: pid (\d+)/.exec(read().split('\n').filter((l) => l.includes('worker started')).pop() ?? '')?.[1]);

  console.log(`\n$ kill -TERM ${supervisor}   # stop the supervisor: it stops the worker, then exits`);
  process.kill(supervisor, 'SIGTERM');
  await until('the supervisor to exit', () => !alive(supervisor) && !alive(worker), 15_000);

  const starts = count(/worker started/);
  const crashes = count(/^Error: .*simulated crash/);
  console.log(`\n${starts} starts, ${crashes} crashes restarted, stopped cleanly: supervisor ${supervisor} and worker ${worker} are gone.`);
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
