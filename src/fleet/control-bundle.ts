/**
 * The control bundle as the named daemons use it: it asks supervisors (status, stop, restart,
 * reload, reopen) without loading the launcher or `child_process`, so that `status` and `list`
 * stay light. Its answers' types are taken from the bundle's own functions, so they follow it.
 */
import { loadBundle } from '../bundles.js';

/** The control functions, from their bundle (loaded on first use). */
export function control(): ReturnType<typeof loadBundle<'control'>> {
  return loadBundle('control');
}

type Control = ReturnType<typeof control>;
/** What a supervisor says of its daemon (see the library's `status()`). */
export type DaemonStatus = Awaited<ReturnType<Control['status']>>;
/** running, restarting, stopped or dead. */
export type DaemonState = DaemonStatus['state'];
/** What a reload did, per instance. */
export type ReloadResult = Awaited<ReturnType<Control['reload']>>;
