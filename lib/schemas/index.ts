// The compiled checks of every contract (each compiled once, at first import) and the catalogue of enums the edit
// dialogs read from the runtime. Nodes validate what they receive with these checks and nothing else.

import { compileCheck } from './check';
import {
  BookSnapshotSchema,
  CancelSchema,
  ClearingSummarySchema,
  CUTOFF_TYPES,
  CutOffSchema,
  DELIVERY_WINDOWS,
  FUNCTION_CODES,
  InvoiceSchema,
  MARKET_MECHANISMS,
  MATCHING_MODES,
  METER_PROFILE_SENTENCES,
  METER_ROLES,
  MeterProfileSchema,
  MeterReadingSchema,
  DIALECTS,
  GATE_MODES,
  MINER_STATES,
  MinerTelemetrySchema,
  NATIVE_FIELDS,
  OFFER_ACTIONS,
  ORDER_SIDES,
  ORDER_TYPES,
  OrderSchema,
  PAYMENT_MODES,
  PRIORITY_MODES,
  TIMER_MODES,
  ParticipantSchema,
  POWER_SOURCES,
  PowerTargetSchema,
  QUALITIES,
  RECEIPT_ISSUERS,
  REGISTRY_SOURCES,
  ReceiptSchema,
  REGISTER_TYPES,
  REJECT_REASONS,
  RejectSchema,
  SELF_TRADE_RULES,
  SiteBalanceSchema,
  TradeSchema,
  WORD_ORDERS,
} from './contracts';

export { ContractError, type Check } from './check';
export * from './contracts';

export const isMeterReading = compileCheck('MeterReading', MeterReadingSchema);
export const isSiteBalance = compileCheck('SiteBalance', SiteBalanceSchema);
export const isMeterProfile = compileCheck('MeterProfile', MeterProfileSchema, { subject: 'the profile', sentences: METER_PROFILE_SENTENCES });
export const isOrder = compileCheck('Order', OrderSchema);
export const isCancel = compileCheck('Cancel', CancelSchema);
export const isTrade = compileCheck('Trade', TradeSchema);
export const isReject = compileCheck('Reject', RejectSchema);
export const isParticipant = compileCheck('Participant', ParticipantSchema);
export const isClearingSummary = compileCheck('ClearingSummary', ClearingSummarySchema);
export const isBookSnapshot = compileCheck('BookSnapshot', BookSnapshotSchema);
export const isReceipt = compileCheck('Receipt', ReceiptSchema);
export const isInvoice = compileCheck('Invoice', InvoiceSchema);
export const isCutOff = compileCheck('CutOff', CutOffSchema);
export const isPowerTarget = compileCheck('PowerTarget', PowerTargetSchema);
export const isMinerTelemetry = compileCheck('MinerTelemetry', MinerTelemetrySchema);

/**
 * What the edit dialogs need from the contracts: every enum, and the meter profile's register schema for the
 * custom-profile table. Served by nodes/shared/editor-api.ts; the dialogs keep no copies.
 */
export const EDITOR_CATALOGUE = Object.freeze({
  enums: {
    meterRoles: METER_ROLES,
    qualities: QUALITIES,
    registerTypes: REGISTER_TYPES,
    wordOrders: WORD_ORDERS,
    functionCodes: FUNCTION_CODES,
    nativeFields: NATIVE_FIELDS,
    orderSides: ORDER_SIDES,
    orderTypes: ORDER_TYPES,
    matchingModes: MATCHING_MODES,
    marketMechanisms: MARKET_MECHANISMS,
    selfTradeRules: SELF_TRADE_RULES,
    rejectReasons: REJECT_REASONS,
    offerActions: OFFER_ACTIONS,
    deliveryWindows: DELIVERY_WINDOWS,
    registrySources: REGISTRY_SOURCES,
    cutOffTypes: CUTOFF_TYPES,
    paymentModes: PAYMENT_MODES,
    gateModes: GATE_MODES,
    receiptIssuers: RECEIPT_ISSUERS,
    minerStates: MINER_STATES,
    powerSources: POWER_SOURCES,
    priorityModes: PRIORITY_MODES,
    timerModes: TIMER_MODES,
    minerDialects: ['auto', ...DIALECTS],
  },
  meterProfileSchema: MeterProfileSchema,
});
