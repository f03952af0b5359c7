/**
 * Type-level checks of the types derived from the settings table, compiled by `npm run typecheck`
 * (never run): the `choice` unions come from the rows' values, every option is optional, a
 * Supervisor takes no pid file, the service's restart modes are the setting's. Each
 * `@ts-expect-error` fails the typecheck if the line it guards compiles.
 */
import type { DaemonOptions, DaemonSettings, ServiceSettingName, SupervisorSettingOptions } from '../../src/settings/types';
import type { RestartMode } from '../../src/service/options';
import type { SupervisorOptions } from '../../src/supervisor/supervisor-api';
import { Daemon } from '../../src/daemon';

/** True when `A` and `B` are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(proof: Same<A, B>): Same<A, B> => proof;

same<DaemonSettings['backoff'], 'fixed' | 'exponential'>(true);
same<DaemonSettings['restart'], 'always' | 'on-failure' | 'never'>(true);
same<DaemonSettings['killMode'], 'group' | 'process'>(true);
same<RestartMode, DaemonSettings['restart']>(true);
same<DaemonSettings['successExitCodes'], readonly number[]>(true);
same<DaemonSettings['listen'], readonly string[]>(true);
same<DaemonSettings['cronRestart'], string>(true);
same<DaemonSettings['prewarm'], boolean>(true);
same<DaemonSettings['maxMemory'], number>(true);
same<DaemonOptions['maxCount'], number | undefined>(true);
same<ServiceSettingName, 'killTimeout' | 'restartDelay' | 'restart' | 'waitReady' | 'errFile' | 'listen' | 'envFile'>(true);
same<keyof SupervisorSettingOptions, Exclude<keyof DaemonOptions, 'pidFile' | 'envFile'>>(true);
same<DaemonSettings['health'], string>(true);
same<DaemonSettings['envFile'], readonly string[]>(true);

export const options: DaemonOptions[] = [
  {},
  { backoff: 'exponential', restartDelay: 100, listen: ['8080'], watch: undefined },
  // @ts-expect-error not one of the row's values
  { backoff: 'linear' },
  // @ts-expect-error a count is a number
  { maxCount: '2' },
  // @ts-expect-error not a setting
  { maxcount: 2 },
];

export const supervisor: SupervisorOptions[] = [
  { command: 'node', maxCount: 2 },
  // @ts-expect-error the pid file is the daemon process's, not a Supervisor's
  { command: 'node', pidFile: '/run/x.pid' },
];

const d = new Daemon('x.log', { killMode: 'process' });
d.maxCount = 2;
d.restart = 'on-failure';
// @ts-expect-error a Daemon's fields are the settings, with their unions
d.restart = 'sometimes';
