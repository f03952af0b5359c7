/**
 * Rotation by rename, decided apart from the files: when a line would take the log beyond
 * maxSize, `log.N-1` becomes `log.N` (the oldest, `log.maxFiles`, is deleted), …, `log` becomes
 * `log.1`, and a new `log` is created. Never copy and truncate: that loses the lines written
 * between the copy and the truncation (pm2-logrotate's fault).
 */

/** One step of a rotation. */
export type RotationStep = { op: 'delete'; path: string } | { op: 'rename'; from: string; to: string };

/**
 * How many bytes of `block` (whole lines, each ending in '\n') may go into a file of `size` bytes
 * without taking it beyond `maxSize` (0: no limit): the whole block, its lines up to the last one
 * that fits, or none (0: rotate first). An empty file takes a line longer than maxSize whole.
 */
export function bytesThatFit(block: Buffer, size: number, maxSize: number): number {
  if (maxSize === 0) return block.length;
  const room = maxSize - size;
  if (block.length <= room) return block.length;
  if (room > 0) {
    const end = block.lastIndexOf(0x0a, room - 1);
    if (end >= 0) return end + 1;
  }
  if (size > 0) return 0;
  const end = block.indexOf(0x0a);
  return end < 0 ? block.length : end + 1;
}

/** The steps that rotate `path`, keeping `maxFiles` backups (0: the current file is deleted). */
export function rotationPlan(path: string, maxFiles: number): RotationStep[] {
  if (maxFiles <= 0) return [{ op: 'delete', path }];
  const steps: RotationStep[] = [{ op: 'delete', path: `${path}.${maxFiles}` }];
  for (let n = maxFiles - 1; n >= 1; n--) steps.push({ op: 'rename', from: `${path}.${n}`, to: `${path}.${n + 1}` });
  steps.push({ op: 'rename', from: path, to: `${path}.1` });
  return steps;
}
