/**
 * The `health` setting's three forms, parsed once by the settings' check (../../settings/check) and
 * again where the check runs: `http://HOST:PORT/PATH` (a GET: 2xx and 3xx pass), `tcp:HOST:PORT`
 * (a connect passes) and `exec:COMMAND` (run by /bin/sh; exit 0 passes). Pure, so that the
 * library, the CLI and a fleet file refuse the same text with the same line before anything starts.
 */

/** A health check, parsed. */
export type HealthSpec =
  | { kind: 'http'; host: string; port: number; path: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'exec'; command: string };

/** Why `text` is not a health check, or undefined when it is one. */
export function healthProblem(text: string): string | undefined {
  try {
    parseHealth(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Parses a health check. Throws an Error whose message says what is wrong (without the setting's
 * name: the caller adds it).
 */
export function parseHealth(text: string): HealthSpec {
  if (text.startsWith('exec:')) {
    const command = text.slice('exec:'.length).trim();
    if (command === '') throw new Error('exec: needs a command (exec:curl -fs localhost:8080/health)');
    return { kind: 'exec', command };
  }
  if (text.startsWith('tcp:')) {
    const { host, port } = hostPort(text.slice('tcp:'.length), text);
    return { kind: 'tcp', host, port };
  }
  if (text.startsWith('http://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new Error(`${JSON.stringify(text)} is not a URL`);
    }
    if (url.username !== '' || url.password !== '') throw new Error('a health URL carries no user or password');
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (host === '') throw new Error(`${JSON.stringify(text)} has no host`);
    return { kind: 'http', host, port: url.port === '' ? 80 : Number(url.port), path: `${url.pathname}${url.search}` };
  }
  if (text.startsWith('https://')) throw new Error('https is not supported: check the plain http address the app serves on loopback');
  throw new Error(`${JSON.stringify(text)} is none of http://HOST:PORT/PATH, tcp:HOST:PORT, exec:COMMAND`);
}

/** `HOST:PORT`, `[V6]:PORT` or `PORT` (loopback). */
function hostPort(rest: string, text: string): { host: string; port: number } {
  let host = '127.0.0.1';
  let portText = rest;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw new Error(`${JSON.stringify(text)}: write an IPv6 address as tcp:[ADDR]:PORT`);
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
      if (host.includes(':')) throw new Error(`${JSON.stringify(text)}: write an IPv6 address as tcp:[ADDR]:PORT`);
      if (host === '') throw new Error(`${JSON.stringify(text)} has no host before the port`);
    }
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new Error(`${JSON.stringify(text)}: the port must be a number from 1 to 65535`);
  return { host, port };
}

/** The TCP port a check connects to (none for exec). */
export function checkedPort(spec: HealthSpec): number | undefined {
  return spec.kind === 'exec' ? undefined : spec.port;
}
