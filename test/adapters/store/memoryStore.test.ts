/** The memory store keeps the same contract as the file store and etcd. */
import { describe } from 'vitest';
import { MemoryStore } from '../../../adapters/src/store/memoryStore.js';
import { storeContract } from './storeContract.js';

describe('memory store', () => {
  storeContract('memory', async () => new MemoryStore());
});
