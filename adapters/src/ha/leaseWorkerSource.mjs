// Runs the lease thread from the TypeScript sources (the workspace runs them through tsx, which a
// worker thread does not inherit); a build runs the compiled leaseWorker.js directly instead.
import { register } from 'tsx/esm/api';

register();
await import('./leaseWorker.ts');
