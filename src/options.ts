// A re-export of ./settings/ for the modules other branches move (issue 22); removed after the merges.
export * from './settings/table.js'; export * from './settings/types.js'; export * from './settings/derived.js'; export * from './settings/check.js';
