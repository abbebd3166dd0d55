// Entry of the CommitLog writer thread (wiring only; the loop is workers/store/writer-loop.ts).

import { runWorker } from './host/worker-side.js';
import { runWriterLoop } from './store/writer-loop.js';

runWorker(runWriterLoop);
