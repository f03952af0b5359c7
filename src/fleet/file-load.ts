/**
 * Reading a fleet file: which argument is one (by its name alone: the CLI never loads a user's
 * script to find out), which file when none is named, and its content. A file is read by what its
 * name says: `.json`/`.json5` as JSON5 data (pm2 evaluates a `.json` as JavaScript, so real files
 * hold comments, unquoted keys, trailing commas and single quotes: JSON5 reads all of them without
 * running anything), `.yml`/`.yaml` as YAML (js-yaml, the parser pm2 itself uses), and only
 * `.js`/`.cjs`/`.mjs` config modules are loaded, as pm2 loads them (`module.exports`, `export
 * default`, named `export const apps`, or a function returning the object). Each parser is loaded
 * when a file of its kind is read, never by `status` or `list`. A file that cannot be read, parsed
 * or loaded is a FleetFileError naming it (`code: EUSAGE`: nothing starts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fleetFileError } from './fleet-error.js';

/** The default file names, in the order they are looked for. */
export const DEFAULT_FLEET_FILES = [
  'xdaemon.config.js',
  'xdaemon.config.cjs',
  'xdaemon.config.mjs',
  'xdaemon.config.json',
  'xdaemon.config.yaml',
  'xdaemon.config.yml',
  'ecosystem.config.js',
  'ecosystem.config.cjs',
  'ecosystem.config.mjs',
  'ecosystem.json',
  'ecosystem.yaml',
  'ecosystem.yml',
] as const;

/** How a fleet file is read. */
export type FleetFormat = 'json5' | 'yaml' | 'module';

const MODULE_EXT = /\.(js|cjs|mjs)$/;

/**
 * How the file named `arg` is read, or undefined when the name is not a fleet file's (a script, a
 * command, a daemon's name). By the base name only: `*.config.{js,cjs,mjs}` and `ecosystem.{js,cjs,
 * mjs}` are config modules, `*.json`/`*.json5` JSON5, `*.yml`/`*.yaml` YAML. Unlike pm2's substring
 * test, a folder named `x.json-tools/` does not make its scripts config files.
 */
export function fleetFormatOf(arg: string): FleetFormat | undefined {
  const base = basename(arg.replace(/\\/g, '/'));
  if (/\.json5?$/i.test(base)) return 'json5';
  if (/\.ya?ml$/i.test(base)) return 'yaml';
  if (/\.config\.(js|cjs|mjs)$/.test(base) || /^ecosystem\.(js|cjs|mjs)$/.test(base)) return 'module';
  return undefined;
}

/** True when an argument names a fleet file rather than a script or a daemon (see {@link fleetFormatOf}). */
export function isFleetFileName(arg: string): boolean {
  return fleetFormatOf(arg) !== undefined;
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
  const format = fleetFormatOf(file) ?? (MODULE_EXT.test(file) ? 'module' : undefined);
  if (format === undefined) throw fleetFileError({ file, reason: 'a fleet file is *.config.{js,cjs,mjs}, ecosystem.*, .json, .json5, .yml or .yaml' });
  if (format === 'module') return loadModule(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fleetFileError({ file, reason: `cannot read it: ${(err as Error).message}` }, err);
  }
  try {
    return format === 'yaml' ? parseYaml(text) : parseJson5(text);
  } catch (err) {
    const what = format === 'yaml' ? 'YAML' : 'JSON5 (JSON with comments, unquoted keys, trailing commas; an expression needs a .config.js file)';
    throw fleetFileError({ file, reason: `cannot parse it as ${what}: ${oneLine(err)}` }, err);
  }
}

/** Parsed with json5 (loaded now: only a `.json` file needs it). */
function parseJson5(text: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const JSON5 = require('json5') as typeof import('json5');
  return JSON5.parse(text.replace(/^\uFEFF/, '')) as unknown;
}

/** Parsed with js-yaml's safe `load` (no JavaScript types; loaded now: only a YAML file needs it). */
function parseYaml(text: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('js-yaml') as typeof import('js-yaml');
  return yaml.load(text);
}

/** A config module's content: its default export (or `module.exports`), else its named `apps`; a function called. */
async function loadModule(file: string): Promise<unknown> {
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
