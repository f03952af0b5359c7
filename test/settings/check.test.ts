/**
 * The settings table and its check: the subsets the row flags derive, each value checked by its
 * row's kind with errors that carry fields, the rules between settings walked from one registry,
 * and `listen` parsed once, by the check.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EUSAGE } from '../../src/errors';
import { checkOptionKeys, checkSettings } from '../../src/settings/check';
import { DEFAULTS, SERVICE_SETTING_NAMES, SETTING_NAMES, SUPERVISOR_SETTING_NAMES, flagOf, hasFlag, supervisorSettings } from '../../src/settings/derived';
import { listenAddresses } from '../../src/settings/listen';
import { SETTING_RULES, refusalOf } from '../../src/settings/rules';
import { SETTINGS } from '../../src/settings/table';
import { namedDaemonDefaults } from '../../src/settings/profiles';

/** The error `fn` throws. */
function thrown(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  assert.fail('it did not throw');
}

describe('the subsets are the row flags', () => {
  test('a Supervisor takes every setting but the daemon process\'s own: the pid file and the env files', () => {
    assert.deepEqual(
      SETTING_NAMES.filter((name) => !(SUPERVISOR_SETTING_NAMES as readonly string[]).includes(name)),
      ['pidFile', 'envFile'],
    );
    const settings = supervisorSettings(checkSettings({ pidFile: '/run/x.pid', maxCount: 2 }));
    assert.equal(settings.maxCount, 2);
    assert.ok(!('pidFile' in settings), 'the loop never sees it');
  });

  test('an OS service has restart, its delay, the kill timeout, readiness, the stderr file and listen', () => {
    assert.deepEqual([...SERVICE_SETTING_NAMES].sort(), ['envFile', 'errFile', 'killTimeout', 'listen', 'restart', 'restartDelay', 'waitReady']);
  });

  test('every setting but the pid file and cluster mode has a flag: its kebab-case name, or the one its row gives', () => {
    assert.deepEqual(SETTING_NAMES.filter((name) => flagOf(name) === undefined), ['pidFile', 'cluster']);
    assert.equal(flagOf('maxRestartDelay'), 'max-restart-delay');
    assert.equal(flagOf('watchIgnore'), 'ignore');
    assert.ok(hasFlag('maxCount') && !hasFlag('pidFile') && !hasFlag('toString'));
  });

  test('the defaults are the rows\' defaults', () => {
    for (const name of SETTING_NAMES) assert.deepEqual(DEFAULTS[name], SETTINGS[name].default, name);
    assert.deepEqual(checkSettings({}), DEFAULTS);
  });
});

describe('checking each value', () => {
  test('a bad value: a TypeError or RangeError with the prefix for library users, and fields for a face', () => {
    const err = thrown(() => checkSettings({ maxCount: -1 }));
    assert.ok(err instanceof RangeError);
    assert.equal(err.message, 'xdaemon: maxCount must be a finite number >= 0, got number -1');
    assert.equal(err.shortMessage, 'maxCount must be a finite number >= 0, got number -1');
    assert.deepEqual({ code: err.code, option: err.option, reason: err.reason }, { code: EUSAGE, option: 'maxCount', reason: 'must be a finite number >= 0, got number -1' });
    const kind = thrown(() => checkSettings({ backoff: 'linear' }));
    assert.ok(kind instanceof TypeError);
    assert.equal(kind.message, 'xdaemon: backoff must be "fixed" or "exponential", got "linear"');
    assert.equal(kind.option, 'backoff');
    const key = thrown(() => checkOptionKeys({ maxcount: 2 }));
    assert.ok(key instanceof TypeError);
    assert.equal(key.message, `xdaemon: unknown option "maxcount" (known: ${SETTING_NAMES.join(', ')})`);
    assert.equal(key.option, 'maxcount');
  });

  test('the schedule is checked at start: 5 fields, valid values', () => {
    assert.throws(() => checkSettings({ cronRestart: '61 * * * *' }), /^RangeError: xdaemon: cronRestart "61 \* \* \* \*" is not a schedule: .*minute/);
    assert.throws(() => checkSettings({ cronRestart: '* * * *' }), /cronRestart "\* \* \* \*" is not a schedule: it has 4 field\(s\), a schedule has 5/);
    assert.throws(() => checkSettings({ cronRestart: '0 0 * * * *' }), /has 6 field\(s\)/);
    assert.throws(() => checkSettings({ cronRestart: 3 }), /cronRestart must be a string/);
    assert.equal(checkSettings({ cronRestart: '30 3 * * 1-5' }).cronRestart, '30 3 * * 1-5');
  });

  test('a bad listen address: a RangeError naming it, with the setting as its option', () => {
    const err = thrown(() => checkSettings({ listen: ['8080', 'x:99999'] }));
    assert.ok(err instanceof RangeError);
    assert.equal(err.shortMessage, 'listen address "x:99999": the port must be a number from 1 to 65535');
    assert.equal(err.option, 'listen');
  });
});

describe('listen is parsed once, by the check', () => {
  test('the addresses of a checked list are the check\'s own: not parsed again', () => {
    const settings = checkSettings({ listen: ['http=127.0.0.1:8080', 'unix:/tmp/x.sock'] });
    const addresses = listenAddresses(settings.listen);
    assert.deepEqual(addresses.map((a) => a.name), ['http', 'listen1']);
    // Changed behind the check's back, the list would no longer parse: what is used is what the check parsed.
    (settings.listen as string[])[0] = 'not an address';
    assert.equal(listenAddresses(settings.listen), addresses);
  });

  test('a list that was not checked is parsed where it is used', () => {
    assert.deepEqual(listenAddresses(['9090']).map((a) => a.kind === 'tcp' && a.port), [9090]);
    assert.throws(() => listenAddresses(['nope']), /listen address "nope"/);
  });
});

describe('the rules between settings: one registry, each rule beside its feature', () => {
  const input = (settings: object, given: string[] = Object.keys(settings), logged: boolean | undefined = undefined) => ({
    settings: { ...DEFAULTS, ...settings },
    defaults: DEFAULTS,
    given: (name: string) => given.includes(name),
    logged,
  });

  test('the restart policy, watch, health and the log, in that order', () => {
    assert.equal(SETTING_RULES.length, 4);
    const spell = (name: string): string => name;
    const says = (settings: object, logged?: boolean): string | undefined => {
      const r = refusalOf(input(settings, Object.keys(settings), logged));
      return r === undefined ? undefined : `${r.option} ${r.says(spell)}`;
    };
    assert.match(says({ successExitCodes: [3] }) ?? '', /^successExitCodes cannot apply: it applies with restart 'on-failure'/);
    assert.match(says({ watchIgnore: ['dist'] }) ?? '', /^watchIgnore cannot apply: .*watch is off/);
    assert.match(says({ timestamps: true }, false) ?? '', /^timestamps needs a logFile/);
    assert.match(says({ healthRetries: 5 }) ?? '', /^healthRetries cannot apply: it tunes the health check, and health is not set/);
    assert.equal(says({ timestamps: true }), undefined, 'whether there is a log is not known: the log rule says nothing');
    assert.match(says({ successExitCodes: [3], timestamps: true }, false) ?? '', /^successExitCodes/, 'the policy first');
  });

  test('each face spells the names its way: the library the option, the CLI the flag', () => {
    const r = refusalOf(input({ maxFiles: 2 }, ['maxFiles'], true));
    assert.ok(r !== undefined);
    assert.equal(r.says((name) => name), 'needs maxSize: it counts rotated files, and without maxSize the log is never rotated');
    assert.equal(r.says((name) => `--${flagOf(name)}`), 'needs --max-size: it counts rotated files, and without --max-size the log is never rotated');
  });

  test('checkSettings walks the registry: a refused setting is a RangeError with its fields', () => {
    const err = thrown(() => checkSettings({ watchDebounce: 50 }));
    assert.ok(err instanceof RangeError);
    assert.equal(err.message, 'xdaemon: watchDebounce cannot apply: it is how long watch gathers changes, and watch is off (give watch too)');
    assert.equal(err.option, 'watchDebounce');
    assert.equal(err.reason, 'cannot apply: it is how long watch gathers changes, and watch is off (give watch too)');
    assert.throws(() => checkSettings({ watchIgnore: ['dist'] }), /^RangeError: xdaemon: watchIgnore cannot apply: .*watch is off/, 'refused, not ignored');
    assert.deepEqual(checkSettings({ watch: ['.'], watchIgnore: ['dist'], watchDebounce: 50 }).watchIgnore, ['dist']);
    assert.throws(() => checkSettings({ maxFiles: 2 }, { logged: true }), /^RangeError: xdaemon: maxFiles needs maxSize/);
    assert.equal(checkSettings({ maxFiles: 2 }).maxFiles, 2, 'without knowing of a log (a fleet app before it starts), the log rule does not apply');
  });
});

describe("a named daemon's defaults (xdaemon start, fleet files), beside the library's", () => {
  test("pm2's rule with a backoff: 1 s, 16 failures in a row, 100 ms doubled up to 15 s; Node programs in cluster mode", () => {
    const named = checkSettings({}, { defaults: namedDaemonDefaults() });
    assert.deepEqual(
      [named.minExitTime, named.maxError, named.restartDelay, named.backoff, named.maxRestartDelay, named.cluster],
      [1, 15, 100, 'exponential', 15_000, true],
    );
    assert.deepEqual([DEFAULTS.minExitTime, DEFAULTS.maxError, DEFAULTS.restartDelay, DEFAULTS.backoff, DEFAULTS.cluster], [10, 3, 0, 'fixed', false], "the library's stay Go's");
  });

  test('a restartDelay given alone is fixed (pm2\'s --restart-delay); 0 restarts at once without a refusal', () => {
    const given = (names: string[]) => (name: string) => names.includes(name);
    const fixed = checkSettings({ restartDelay: 0 }, { defaults: namedDaemonDefaults(given(['restartDelay'])) });
    assert.deepEqual([fixed.restartDelay, fixed.backoff], [0, 'fixed']);
    const slow = checkSettings({ restartDelay: 4000 }, { defaults: namedDaemonDefaults(given(['restartDelay'])) });
    assert.deepEqual([slow.restartDelay, slow.backoff, slow.maxRestartDelay], [4000, 'fixed', 15_000], 'the cap at its default is no refusal');
    assert.equal(checkSettings({ backoff: 'fixed' }, { defaults: namedDaemonDefaults(given(['backoff'])) }).restartDelay, 100);
  });
});
