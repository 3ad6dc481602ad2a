import type { Network } from './network';
import type { NodeRecord } from './state';
import type { StreamSink } from './streams';

/** What an RPC handler of one node sees: the shared network and its own node record. */
export interface RpcContext {
  network: Network;
  node: NodeRecord;
}

export type UnaryHandler = (request: any) => unknown;
export type StreamHandler = (request: any, sink: StreamSink) => void;

export interface ServiceHandlers {
  unary: Record<string, UnaryHandler>;
  streams: Record<string, StreamHandler>;
}

export const nowSec = (ctx: RpcContext) => Math.floor(ctx.network.clock.nowMs() / 1000);
