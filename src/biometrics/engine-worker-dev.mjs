// Development entry for engine workers when Oblik runs from its TypeScript sources (tsx, vitest): Node 20
// worker threads do not inherit tsx's loader, so this plain module loads the worker through tsx's API.
import { tsImport } from 'tsx/esm/api';

const worker = await tsImport('./engine-worker.ts', import.meta.url);
export default worker.default;
