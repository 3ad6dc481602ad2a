// Every refusal of lib/payments is a PaymentError with a machine code, so that a node can show a short status
// for it and a Catch node can switch on msg.error.code.

export type PaymentErrorCode =
  /** a money figure that is not a whole number of 0 or more, or beyond exact integer arithmetic */
  | 'AMOUNT'
  /** a reading, payment or invoice for a trade this node does not know */
  | 'UNKNOWN_TRADE'
  /** a trade whose buyer (stream) or seller (gate) is not this node's participant */
  | 'NOT_OUR_TRADE'
  /** a payment, invoice or reading for a trade that is over */
  | 'TRADE_OVER'
  /** a trade already known with other terms */
  | 'TRADE_CONFLICT'
  /** more money than the trade can owe */
  | 'OVERPAYMENT'
  /** a reading from a meter that is not the buyer's */
  | 'WRONG_METER'
  /** a cumulative counter that went backwards */
  | 'COUNTER_BACKWARDS'
  /** a reading whose timestamp is not a time */
  | 'BAD_READING'
  /** an invoice the payer refuses: wrong amount, interval, payee or hash */
  | 'BAD_INVOICE'
  /** a payment received whose records contradict the trade (price, buyer, amount for its interval) */
  | 'BAD_PAYMENT'
  /** a payment the spending caps do not allow */
  | 'CAP_PER_PAYMENT'
  | 'CAP_PER_TRADE'
  | 'CAP_PER_HOUR'
  | 'CAP_PER_DAY'
  /** a message that tries to set a cap or a fee limit */
  | 'CAP_OVERRIDE'
  /** settings out of range */
  | 'SETTINGS'
  /** a stream's journal that does not fit this node (another buyer, another secret) */
  | 'JOURNAL_MISMATCH';

export class PaymentError extends Error {
  override name = 'PaymentError';

  constructor(
    readonly code: PaymentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The caps and accounting refused a payment: nothing was sent. */
export function isCapError(err: unknown): err is PaymentError {
  return err instanceof PaymentError && err.code.startsWith('CAP_PER_');
}
