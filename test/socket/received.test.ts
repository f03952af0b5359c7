/**
 * The address of a socket systemd passed, read from a /proc/net table by its inode (pure), and
 * read for real: a listening socket of this process is found with its port.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { readFileSync, readlinkSync } from 'node:fs';
import { test } from 'node:test';
import { procNetAddresses } from '../../src/socket/received';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 0
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0
`;

test('a /proc/net table: each inode with its local host and port', () => {
  assert.deepEqual([...procNetAddresses(TCP)], [
    ['4242', { host: '127.0.0.1', port: 8080 }],
    ['4343', { host: '0.0.0.0', port: 80 }],
  ]);
  assert.deepEqual([...procNetAddresses(TCP6)], [['5151', { host: '0:0:0:0:0:0:0:1', port: 8081 }]]);
  assert.equal(procNetAddresses('').size, 0);
});

test('the table of this process holds its own listening socket, found by the inode of its descriptor', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  const inode = /socket:\[(\d+)\]/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1] as string;
  assert.deepEqual(procNetAddresses(readFileSync('/proc/self/net/tcp', 'latin1')).get(inode), { host: '127.0.0.1', port });
});
