// Entry of the risk worker thread: loader hooks registered in the parent thread do not reach
// workers, so register tsx here, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./risk-worker.ts');
