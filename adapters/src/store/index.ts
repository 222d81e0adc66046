/**
 * State stores for the master: the interface and its implementations.
 * Explicit export list.
 */
export type { StateStore, StoredValue, PutResult } from './stateStore.js';
export { keyProblem } from './stateStore.js';
export { FileStore } from './fileStore.js';
export { MemoryStore } from './memoryStore.js';
