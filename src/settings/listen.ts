/**
 * The one normalisation of the settings: the `listen` addresses are parsed once, by the check
 * (./check), and kept beside the checked list, so that the socket holder binds what the check
 * accepted without parsing the text again. A list that was not checked here (the supervisor's
 * own copy is) is parsed on first use.
 */
import { type ListenAddress, parseAddresses } from '../socket/address.js';
import { optionError } from '../errors.js';

/** The addresses of each checked list, by the list (a checked list is the check's own copy). */
const parsed = new WeakMap<readonly string[], readonly ListenAddress[]>();

/**
 * Parses `listen` and remembers the result for this very array. Throws a RangeError naming the
 * address (or Windows, which cannot pass a socket to a child process).
 */
export function parseListen(listen: readonly string[]): readonly ListenAddress[] {
  if (listen.length > 0 && process.platform === 'win32') {
    throw optionError(RangeError, 'listen is not supported on Windows: Node cannot pass a listening socket to a child process there', {
      option: 'listen',
      reason: 'is not supported on Windows: Node cannot pass a listening socket to a child process there',
    });
  }
  const addresses = parseAddresses(listen);
  parsed.set(listen, addresses);
  return addresses;
}

/** The addresses of `listen`: those its check parsed, else parsed now. */
export function listenAddresses(listen: readonly string[]): readonly ListenAddress[] {
  return parsed.get(listen) ?? parseListen(listen);
}
