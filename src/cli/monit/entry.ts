/** Entry of the monit bundle (`dist/monit.js`): the live view, loaded by `xdaemon monit` alone. */
export { runMonit } from './monit.js';
