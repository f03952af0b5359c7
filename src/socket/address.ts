/**
 * The `listen` setting's addresses, parsed: `8080`, `127.0.0.1:8080`, `[::1]:8080`, `unix:/path`,
 * each optionally named (`http=8080`). Pure, so the library, the CLI and the service installer
 * refuse the same bad address with the same line before anything is bound.
 */
import { optionError } from '../errors.js';

/** One address to listen on. */
export type ListenAddress =
  | { kind: 'tcp'; name: string; host: string; port: number; text: string }
  | { kind: 'unix'; name: string; path: string; text: string };

/** A name LISTEN_FDNAMES can carry (systemd: printable ASCII, no `:`), at most 255 characters. */
const NAME = /^[A-Za-z0-9_.@-]{1,255}$/;

/**
 * Parses one address. Without a name, the socket is named `listen<i>` after its place in the list
 * (`defaultIndex`). Throws a RangeError naming the address and what is wrong.
 */
export function parseAddress(text: string, defaultIndex: number): ListenAddress {
  const bad = (why: string): RangeError => optionError(RangeError, `listen address ${JSON.stringify(text)}: ${why}`, { option: 'listen', reason: why });
  let rest = text;
  let name = `listen${defaultIndex}`;
  const eq = text.indexOf('=');
  if (eq >= 0 && !text.startsWith('unix:')) {
    name = text.slice(0, eq);
    rest = text.slice(eq + 1);
    if (!NAME.test(name)) throw bad('a name is letters, digits, "_", ".", "@" or "-"');
  }
  if (rest.startsWith('unix:')) {
    const path = rest.slice('unix:'.length);
    if (path === '') throw bad('unix: needs a path');
    if (!path.startsWith('/')) throw bad('a unix socket path must be absolute');
    if (Buffer.byteLength(path) > 107) throw bad('a unix socket path is at most 107 bytes');
    return { kind: 'unix', name, path, text };
  }
  let host = '';
  let portText = rest;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw bad('an IPv6 address is written [ADDR]:PORT');
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
    if (!host.includes(':')) throw bad(`${JSON.stringify(host)} is not an IPv6 address`);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
      if (host === '' || host.includes(':')) throw bad('write an IPv6 address as [ADDR]:PORT');
    }
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw bad('the port must be a number from 1 to 65535');
  return { kind: 'tcp', name, host, port: Number(portText), text };
}

/** Parses the whole list; names must differ, and so must addresses. */
export function parseAddresses(texts: readonly string[]): ListenAddress[] {
  const addresses = texts.map((text, i) => parseAddress(text, i));
  const names = new Set<string>();
  const places = new Set<string>();
  for (const a of addresses) {
    if (names.has(a.name)) throw twice(`the name ${JSON.stringify(a.name)} is given twice`);
    names.add(a.name);
    const place = a.kind === 'unix' ? a.path : `${a.host}|${a.port}`;
    if (places.has(place)) throw twice(`${JSON.stringify(a.text)} is given twice`);
    places.add(place);
  }
  return addresses;
}

function twice(reason: string): RangeError {
  return optionError(RangeError, `listen: ${reason}`, { option: 'listen', reason });
}

/** How an address reads in messages: `127.0.0.1:8080`, `[::1]:8080`, `*:8080`, `unix:/path`. */
export function describeAddress(a: ListenAddress): string {
  if (a.kind === 'unix') return `unix:${a.path}`;
  const host = a.host === '' ? '*' : a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${host}:${a.port}`;
}
