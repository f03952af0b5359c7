/**
 * Text inside an XML element (plist strings, task fields): escaped so that an XML parser reads back
 * exactly the original, refused when XML 1.0 cannot carry it. Shared by the launchd and Windows
 * renderers.
 */
import { XDaemonError } from '../errors.js';

/**
 * XML character data for `value`: `&`, `<`, `>` escaped, and the characters a parser may turn into
 * a line feed (carriage return; NEL and LINE SEPARATOR, which XML 1.1 parsers normalize) as
 * character references, which no parser normalizes. `what` names the value in the error for a
 * character XML 1.0 cannot carry (a control character other than tab and line feed).
 */
export function xml(what: string, value: string): string {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(value)) {
    throw new XDaemonError(`${what} ${JSON.stringify(value)} cannot be written to XML: it holds a control character`);
  }
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\r\u0085\u2028]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Reverses {@link xml}. */
export function unxml(text: string): string {
  return text.replace(/&(amp|lt|gt|#\d+);/g, (_, e: string) =>
    e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : (({ amp: '&', lt: '<', gt: '>' }) as Record<string, string>)[e] as string,
  );
}
