// The bus layer's public surface, exported by hand.

export { decodeBatchMessage } from "./bar-batch-message.js";
export {
  BAR_MESSAGE_VERSION,
  type BarMessage,
  type BarrierMessage,
  decodeBarMessage,
  decodeBarrierMessage,
  messageKind,
} from "./bar-message.js";
export {
  type BusLocation,
  DEFAULT_MAX_AGE_MS,
  DEFAULT_STREAM,
  DEFAULT_SUBJECT_PREFIX,
} from "./bus-config.js";
export { BusLossError, BusMessageError, NatsUnavailableError } from "./bus-errors.js";
export { NatsBarPublisher } from "./nats-bar-publisher.js";
export type {
  NatsBarPublisherEvents,
  NatsBarPublisherOptions,
} from "./nats-bar-publisher-options.js";
export {
  BusGapError,
  NatsSessionReplica,
  type NatsSessionReplicaEvents,
  type NatsSessionReplicaOptions,
} from "./nats-session-replica.js";
