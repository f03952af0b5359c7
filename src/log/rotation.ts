/**
 * Rotation by rename, decided apart from the files: when a line would take the log beyond
 * maxSize, `log.N-1` becomes `log.N` (the oldest, `log.maxFiles`, is deleted), …, `log` becomes
 * `log.1`, and a new `log` is created. Never copy and truncate: that loses the lines written
 * between the copy and the truncation (pm2-logrotate's fault).
 */

/** One step of a rotation. */
export type RotationStep = { op: 'delete'; path: string } | { op: 'rename'; from: string; to: string };

/** True when writing `incoming` bytes to a file of `size` bytes must rotate it first. */
export function needsRotation(size: number, incoming: number, maxSize: number): boolean {
  return maxSize > 0 && size > 0 && size + incoming > maxSize;
}

/** The steps that rotate `path`, keeping `maxFiles` backups (0: the current file is deleted). */
export function rotationPlan(path: string, maxFiles: number): RotationStep[] {
  if (maxFiles <= 0) return [{ op: 'delete', path }];
  const steps: RotationStep[] = [{ op: 'delete', path: `${path}.${maxFiles}` }];
  for (let n = maxFiles - 1; n >= 1; n--) steps.push({ op: 'rename', from: `${path}.${n}`, to: `${path}.${n + 1}` });
  steps.push({ op: 'rename', from: path, to: `${path}.1` });
  return steps;
}
