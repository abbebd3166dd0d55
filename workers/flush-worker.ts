// Entry of the flush thread (wiring only; the loop is workers/store/flush-loop.ts).

import { runWorker } from './host/worker-side.js';
import { runFlushLoop } from './store/flush-loop.js';

runWorker(runFlushLoop);
