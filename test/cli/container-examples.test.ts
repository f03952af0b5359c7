/**
 * The container examples hold together: the Dockerfile's entrypoint is a command line `xdaemon
 * run` accepts, and the Kubernetes Deployment's grace period exceeds its --kill-timeout, its
 * probes reach its --probe-listen port on the paths run serves. Pure: the files are read, nothing
 * is built or run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRun } from '../../src/cli/run';
import { ROOT } from '../support/fixtures';

test('examples/Dockerfile and examples/k8s-deployment.yaml: one command line, a grace period above its kill timeout, probes on its port', () => {
  const dockerfile = readFileSync(join(ROOT, 'examples', 'Dockerfile'), 'utf8');
  const entrypoint = /^ENTRYPOINT (\[[^\]]*\])/m.exec(dockerfile.replace(/\\\n\s*/g, ''));
  assert.ok(entrypoint, 'an ENTRYPOINT in exec form');
  const argv = JSON.parse(entrypoint[1] as string) as string[];
  assert.deepEqual(argv.slice(0, 2), ['/usr/bin/tini', '--'], 'tini as PID 1');
  assert.match(argv[2] as string, /node_modules\/\.bin\/xdaemon$/, 'the binary itself, no npx or npm between');
  const request = parseRun(argv.slice(4));
  assert.ok(request.verb === 'run' && request.fleet !== undefined, `a run FILE command line: ${argv.join(' ')}`);
  const { killTimeout, probe } = request.fleet;
  assert.ok(killTimeout !== undefined && probe !== undefined, 'a kill timeout and probes');

  const yaml = readFileSync(join(ROOT, 'examples', 'k8s-deployment.yaml'), 'utf8');
  const grace = Number(/^\s+terminationGracePeriodSeconds: (\d+)$/m.exec(yaml)?.[1]);
  assert.ok(grace * 1000 >= killTimeout + 2000, `terminationGracePeriodSeconds ${grace} leaves run time to exit after --kill-timeout ${killTimeout}`);
  const probePort = Number(/- name: probes\n\s+containerPort: (\d+)/.exec(yaml)?.[1]);
  assert.equal(probePort, probe.port, 'the probes port is the one run serves');
  assert.match(yaml, /livenessProbe:\n\s+httpGet:\n\s+path: \/livez\n\s+port: probes/);
  assert.match(yaml, /readinessProbe:\n\s+httpGet:\n\s+path: \/readyz\n\s+port: probes/);
});
