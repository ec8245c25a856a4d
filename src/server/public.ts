// The server layer's public surface, exported by hand. NOT re-exported by src/index.ts: the
// library never imports the server; the CLI and tests import this file directly.

export { checkListenPolicy, isLoopback } from "./auth.js";
export { type GapCounts, GapLog, type GapRecord, type GapStatus } from "./gap-log.js";
export { DEFAULT_CHANNELS, Hub, type HubOptions, type QualityMessage } from "./hub.js";
export {
  type ClientLimits,
  DEFAULT_CLIENT_LIMITS,
  HubClient,
  type HubSocket,
} from "./hub-client.js";
export {
  ReplayController,
  type ReplayControllerOptions,
  type ReplayPhase,
  type ReplayStartOptions,
  type ReplayState,
} from "./replay-controller.js";
export type { ApiContext } from "./routes.js";
export { CHANNELS, type Channel, type ClientMessage, type ReplayAction } from "./schemas.js";
export {
  createServer,
  type ServerAnalysis,
  type ServerOptions,
  type ServerStatus,
  type ServerStatusSource,
  type SessiondataServer,
  type StartServerOptions,
  startServer,
} from "./server.js";
export type { SymbolSnapshot } from "./symbol-snapshot.js";
