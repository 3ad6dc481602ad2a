// ln-service ships no types of its own; its index re-exports the `lightning` package (which has them) and
// a few helpers of `invoices`. These declarations cover what lib/payments/backend calls.
declare module 'ln-service' {
  export * from 'lightning';

  export interface ParsedPaymentRequest {
    destination: string;
    /** the payment hash, hex */
    id: string;
    mtokens?: string;
    expires_at: string;
    is_expired: boolean;
    network: string;
    description?: string;
  }

  export function parsePaymentRequest(args: { request: string }): ParsedPaymentRequest;
}
