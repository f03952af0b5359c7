/** Entry of the control bundle (`dist/control.js`): the client side of the control channel. */
export { status } from './status.js';
export { stop } from './stop.js';
export { restart } from './restart.js';
export { reload } from './reload.js';
export { reopen } from './reopen.js';
