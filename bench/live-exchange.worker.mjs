// Loads the TypeScript worker through tsx (a worker thread does not inherit tsx's loader).
import { tsImport } from "tsx/esm/api";

await tsImport("./live-exchange.worker.ts", import.meta.url);
