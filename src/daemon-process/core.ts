/**
 * Entry of the supervisor's core bundle (`dist/supervisor-core.js`): the supervise loop and the
 * process around it. The detached entry (./entry) loads it once it has answered its launcher; the
 * library loads it for `Supervisor` and for supervising in the foreground.
 */
export { supervise } from './supervise.js';
export { Supervisor } from '../supervisor/supervisor.js';
