/** Where the state directory is, pure: from the environment, the platform and the home directory. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stateDirectoryPath } from '../../src/fleet/state-dir';

describe('the state directory', () => {
  const facts = (env: NodeJS.ProcessEnv, platform: NodeJS.Platform = 'linux') => ({ env, platform, home: '/home/u', cwd: '/work' });
  test('$XDAEMON_HOME (made absolute), else $XDG_STATE_HOME/xdaemon (absolute only), else ~/.local/state/xdaemon', () => {
    assert.equal(stateDirectoryPath(facts({ XDAEMON_HOME: '/x', XDG_STATE_HOME: '/s' })), '/x');
    assert.equal(stateDirectoryPath(facts({ XDAEMON_HOME: 'rel' })), '/work/rel');
    assert.equal(stateDirectoryPath(facts({ XDG_STATE_HOME: '/s' })), '/s/xdaemon');
    assert.equal(stateDirectoryPath(facts({ XDG_STATE_HOME: 'relative' })), '/home/u/.local/state/xdaemon');
    assert.equal(stateDirectoryPath(facts({ XDAEMON_HOME: '' })), '/home/u/.local/state/xdaemon');
  });
  test('Windows: %LOCALAPPDATA%\\xdaemon\\state', () => {
    const path = stateDirectoryPath(facts({ LOCALAPPDATA: '/c/Users/u/AppData/Local' }, 'win32'));
    assert.equal(path.replace(/\\/g, '/'), '/c/Users/u/AppData/Local/xdaemon/state');
  });
});
