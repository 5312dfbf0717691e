// Entry of the ingest worker thread: loader hooks registered in the parent thread do not reach
// workers, so register tsx here, then load the TypeScript worker (see jobs/risk/risk-worker-bootstrap.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./decode-worker.ts');
