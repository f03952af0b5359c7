/**
 * Which service manager runs this machine: systemd when /run/systemd/system exists (systemd's own
 * test, sd_booted(3)), launchd on macOS, the Task Scheduler on Windows. A clear error names what
 * was looked for where none fits.
 */
import { existsSync } from 'node:fs';
import { XDaemonError } from '../errors.js';
import { underRoot } from './host.js';
import type { BackendName } from './options.js';

/** What detection looks at; `exists` is asked about paths already under the root. */
export interface DetectFacts {
  /** `process.platform` of the machine. */
  platform: NodeJS.Platform;
  /** Prefix under which /run/systemd/system is looked for. */
  root: string;
  /** Whether a path exists (`fs.existsSync`). */
  exists: (path: string) => boolean;
}

/**
 * The backend for this machine.
 *
 * @throws XDaemonError naming what was looked for when no supported service manager is found.
 */
export function detectBackend(facts: DetectFacts = { platform: process.platform, root: '/', exists: existsSync }): BackendName {
  if (facts.platform === 'darwin') return 'launchd';
  if (facts.platform === 'win32') return 'windows';
  const marker = underRoot(facts.root, '/run/systemd/system');
  if (facts.exists(marker)) return 'systemd';
  throw new XDaemonError(
    `no supported service manager found: looked for systemd (${marker} does not exist, so systemd is not running), ` +
      `launchd (macOS only; this is ${facts.platform}) and the Task Scheduler (Windows only); ` +
      `pass the backend option to choose one`,
    { code: 'ENOTSUP' },
  );
}
