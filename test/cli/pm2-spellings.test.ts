/**
 * pm2's command-line spellings, pure: its flags rewritten to ours where the verb has them, "did
 * you mean" for a typo of a verb or a flag, the reason for pm2's verbs and flags not carried out,
 * and the README's pm2 tables holding every one of them (a new row without its README line fails).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseCommandLine } from '../../src/cli/dispatch';
import { PM2_FLAGS, PM2_UNSUPPORTED_FLAGS, PM2_UNSUPPORTED_VERBS, rewritePm2Flags } from '../../src/cli/pm2-spellings';
import { VERB_TABLE } from '../../src/cli/verbs';
import { EUSAGE } from '../../src/errors';
import { nearest } from '../../src/nearest';
import { ROOT } from '../support/fixtures';

describe("pm2's spellings", () => {
  test('flags rewritten to ours where the verb takes them; after -- untouched', () => {
    const all = (): boolean => true;
    assert.deepEqual(rewritePm2Flags(['-n', 'api', '-o', 'o.log', '--error=e.log', '--time', '--no-autorestart', '--', '-o'], all), ['--name', 'api', '--log', 'o.log', '--err-file=e.log', '--timestamps', '--restart=never', '--', '-o']);
    assert.deepEqual(rewritePm2Flags(['--stop-exit-codes', '3', '--merge-logs', '--log-date-format', 'YYYY', '-c', '0 3 * * *'], all), ['--restart=on-failure', '--success-exit-codes', '3', '--timestamps', '--cron-restart', '0 3 * * *']);
    // A verb without --log keeps -o as it is (and reports it unknown).
    assert.deepEqual(rewritePm2Flags(['-o', 'x'], (f) => f !== '--log'), ['-o', 'x']);
  });

  test('a flag line as a user types it', () => {
    const r = parseCommandLine(['start', 'app.js', '-n', 'api', '--max-memory-restart', '512M', '--no-treekill', '--ignore-watch', 'dist', '--watch', '-k', '3000']) as { name: string; settings: Record<string, unknown> };
    assert.equal(r.name, 'api');
    assert.equal(r.settings.killTimeout, 3000, '-k is --kill-timeout');
    assert.equal(r.settings.maxMemory, 512 * 1024 ** 2);
    assert.equal(r.settings.killMode, 'process');
    assert.deepEqual(r.settings.watchIgnore, ['dist']);
  });

  test('did you mean: verbs (ours and pm2\'s), flags; pm2\'s verbs and flags not carried out say why', () => {
    const refused = (line: string[], re: RegExp): void => assert.throws(() => parseCommandLine(line), (err: Error & { code?: string }) => err.code === EUSAGE && re.test(err.message));
    refused(['strat'], /^unknown verb "strat" \(did you mean start\?\)/);
    refused(['prettylsit'], /did you mean prettylist\?/);
    refused(['relaod', 'web'], /did you mean reload\?/);
    refused(['zzzz'], /^unknown verb "zzzz" \(xdaemon --help lists them\)$/);
    refused(['trigger', 'web', 'x'], /^pm2's trigger is not supported by xdaemon: no custom actions/);
    refused(['start', 'app.js', '--max-memroy', '1G'], /^unknown flag --max-memroy for start \(did you mean --max-memory\?\)/);
    refused(['stop', 'web', '--timout', '1'], /did you mean --timeout\?/);
    refused(['start', 'app.js', '-x'], /^pm2's -x is not supported by xdaemon: /);
    assert.equal(nearest('restat', ['start', 'restart', 'status']), 'restart');
  });

  test("the README's pm2 tables name every pm2 verb and flag: ours, or not supported with why", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Coming from pm2'), readme.indexOf('## Install'));
    const escape = (w: string): string => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const named = (word: string): boolean => new RegExp(`\`[^\`\\n]*(?<![\\w-])${escape(word)}(?![\\w-])[^\`\\n]*\``).test(section);
    const words = [
      ...Object.keys(PM2_FLAGS),
      ...Object.keys(PM2_UNSUPPORTED_FLAGS),
      ...Object.keys(PM2_UNSUPPORTED_VERBS),
      ...VERB_TABLE.flatMap((row) => row.aliases ?? []),
      'jlist', 'prettylist', 'pid', 'sendSignal', 'scale', 'describe', 'startOrRestart', 'startOrReload',
    ];
    for (const word of words) assert.ok(named(word), `${word} is not in the README's pm2 tables`);
  });
});
