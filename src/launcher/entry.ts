/**
 * Entry of the launcher bundle (`dist/launcher.js`): what a launching generation needs and a
 * worker never loads (spawning, the handshake, the foreground switch).
 */
export { ForegroundSupervision, launchSupervisor } from './launch-supervisor.js';
export { startGeneration } from './respawn.js';
export { startSupervisor, spawnSupervisor, ALREADY_RUNNING } from './start-supervisor.js';
export { startInHost } from './host-client.js';
