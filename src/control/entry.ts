/** Entry of the control bundle (`dist/control.js`): the client side of the control channel. */
export { status } from './status.js';
export { stop } from './stop.js';
export { events } from './events.js';
export { operate, reopen } from './operate.js';
// The calls without client logic of their own, as the library exports them (each reaches `operate`
// above through this bundle's own exports).
export { reload, restart } from './api.js';
