/**
 * Figure 5, log throughput: a placeholder. It keeps its place in the table, marked pending, until
 * the logs issue lands and this file measures it.
 */
import { type Figure, pendingRow } from '../report';

export function logThroughput(): Figure {
  return { rows: [pendingRow('log throughput', 'ms', 'logs issue')], notes: [] };
}
