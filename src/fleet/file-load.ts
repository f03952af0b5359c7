/**
 * Reading a fleet file: which file (the one named, else the first of `xdaemon.config.{js,cjs,mjs,
 * json}` and then pm2's `ecosystem.config.{js,cjs,mjs}` in the current directory), and its content:
 * JSON parsed; `.js`, `.cjs`, `.mjs` loaded as modules, as pm2 loads them (`module.exports`,
 * `export default`, or a function returning the object). Nothing else is executed. A file that
 * cannot be read, parsed or loaded is a FleetFileError naming it (`code: EUSAGE`: nothing starts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fleetFileError } from './fleet-error.js';

/** The default file names, in the order they are looked for. */
export const DEFAULT_FLEET_FILES = [
  'xdaemon.config.js',
  'xdaemon.config.cjs',
  'xdaemon.config.mjs',
  'xdaemon.config.json',
  'ecosystem.config.js',
  'ecosystem.config.cjs',
  'ecosystem.config.mjs',
] as const;

const CONFIG_NAME = /^(xdaemon|ecosystem)\.config\.(js|cjs|mjs|json)$/;

/** True when an argument names a fleet file rather than a script or a daemon: the config names, or `*.json`. */
export function isFleetFileName(arg: string): boolean {
  const base = basename(arg);
  return CONFIG_NAME.test(base) || extname(base) === '.json';
}

/** The first default fleet file in `dir`, absolute, if there is one. */
export function defaultFleetFile(dir: string): string | undefined {
  for (const name of DEFAULT_FLEET_FILES) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** The content of fleet file `path` (absolute): what it holds or exports, a function called. */
export async function loadFleetFile(path: string): Promise<unknown> {
  const file = resolve(path);
  if (!existsSync(file)) throw fleetFileError({ file, reason: 'no such file' });
  const ext = extname(file);
  if (ext === '.json') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw fleetFileError({ file, reason: `cannot read it: ${(err as Error).message}` }, err);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw fleetFileError({ file, reason: `not valid JSON: ${(err as Error).message}` }, err);
    }
  }
  if (!['.js', '.cjs', '.mjs'].includes(ext)) throw fleetFileError({ file, reason: 'a fleet file is .js, .cjs, .mjs or .json' });
  let mod: { default?: unknown; apps?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as typeof mod;
  } catch (err) {
    throw fleetFileError({ file, reason: `cannot load it: ${oneLine(err)}` }, err);
  }
  let content: unknown = mod.default !== undefined ? mod.default : mod.apps !== undefined ? { apps: mod.apps } : undefined;
  if (typeof content === 'function') {
    try {
      content = await (content as () => unknown)();
    } catch (err) {
      throw fleetFileError({ file, reason: `its exported function threw: ${oneLine(err)}` }, err);
    }
  }
  return content;
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  return text.split('\n')[0] as string;
}
