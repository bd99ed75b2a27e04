// A `/collect` worker thread's entry: sources are TypeScript run through tsx (as the `threadline`
// command runs them), and a worker thread has no module hooks of its own until it registers them.
import { register } from 'tsx/esm/api';

register();
await import('./collect.worker.ts');
