// Opening an ln-service client on an LND node from its socket, TLS certificate and macaroon, and checking that
// it answers. The certificate may be pasted as PEM (tls.cert as it is), base64 or hex; the macaroon as hex or
// base64, as ln-service takes them. Neither is ever logged or put in an error message.

import * as ln from 'ln-service';
import type { Clock } from '../../clock';
import { LnServiceBackend } from './ln-service';
import { BackendError, type NodeInfo } from './types';

export interface LndAccess {
  /** host:port of LND's gRPC (default port 10009) */
  socket: string;
  cert?: string;
  macaroon?: string;
}

export interface OpenedLnd {
  backend: LnServiceBackend;
  /** closes every gRPC channel of the client */
  close(): void;
}

const SOCKET = /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/;

/** ln-service wants the PEM's base64 (or hex); a pasted PEM is encoded, anything else passed as it is. */
export function certForLnService(cert: string | undefined): string | undefined {
  const text = cert?.trim();
  if (!text) return undefined;
  return text.includes('-----BEGIN') ? Buffer.from(`${text}\n`, 'utf8').toString('base64') : text.replace(/\s+/g, '');
}

export function openLnd(access: LndAccess, clock: Clock): OpenedLnd {
  if (!SOCKET.test(access.socket)) throw new BackendError('INVALID', `the LND socket must be host:port, got '${access.socket}'`, false);
  const macaroon = access.macaroon?.replace(/\s+/g, '') || undefined;
  const { lnd } = ln.authenticatedLndGrpc({ socket: access.socket, cert: certForLnService(access.cert), macaroon });
  return {
    backend: new LnServiceBackend(lnd, clock),
    close: () => {
      for (const service of Object.values(lnd)) (service as { close?: () => void } | undefined)?.close?.();
    },
  };
}

export interface Probe {
  /** what GetInfo says; absent when the macaroon may not read it (an invoice macaroon) */
  info?: NodeInfo;
  /** why info is missing, in a sentence */
  limited?: string;
}

const NO_INVOICE = '0'.repeat(64);

/**
 * Asks the node who it is. A macaroon without info:read (LND's invoice macaroon, which a payee may be given)
 * is checked with an invoice lookup instead; a forged or missing macaroon fails both.
 */
export async function probeLnd(backend: LnServiceBackend, timeoutMs: number): Promise<Probe> {
  try {
    return { info: await backend.info(timeoutMs) };
  } catch (err) {
    if (!(err instanceof BackendError) || err.code !== 'PERMISSION') throw err;
    try {
      await backend.lookupInvoice(NO_INVOICE, timeoutMs);
    } catch {
      throw err;
    }
    return { limited: 'the macaroon may not read node info (an invoice macaroon): receiving works, signing receipts needs message:write' };
  }
}
