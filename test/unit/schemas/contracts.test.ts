// The contracts as docs/contracts.md states them, pinned field by field: a change to lib/schemas that drops an enum
// member, loosens a type or makes a required field optional fails here, and so do the checks the nodes run.
import assert from 'node:assert/strict';
import { CONTRACTS, publishedSchema } from '../../../lib/schemas/contracts';
import { ContractError, isMeterReading, isOrder, isSiteBalance, isTrade, type MeterReading, type SiteBalance } from '../../../lib/schemas';

interface Pin {
  required: string[];
  /** property -> JSON Schema type, or the enum's members */
  types: Record<string, string | readonly unknown[]>;
}

const ID = 'string';
const REJECT_REASONS = [
  'malformed', 'oversized', 'forbidden-key', 'unknown-market', 'bad-field', 'bad-quantity', 'bad-price', 'price-out-of-range', 'off-tick',
  'window-unaligned', 'window-past', 'gate-closed', 'expired', 'stale', 'order-type-not-allowed', 'duplicate-id', 'unknown-participant', 'unsigned',
  'bad-signature', 'replay', 'zone-mismatch', 'missing-pay-to', 'too-many-open-orders', 'rate-limited', 'unknown-order', 'not-owner',
];
const PINS: Record<string, Pin> = {
  MeterReading: {
    required: ['site', 'meterId', 'role', 'ts', 'powerW', 'energyInWh', 'energyOutWh', 'quality'],
    types: {
      site: ID, meterId: ID, role: ['genset', 'bus', 'load', 'prosumer', 'miner', 'battery'], ts: 'string', powerW: 'number',
      energyInWh: 'integer', energyOutWh: 'integer', voltageV: 'number', currentA: 'number', availablePowerW: 'number',
      fuelScfm: 'number', quality: ['good', 'stale', 'suspect', 'bad'], qualityReason: 'string', profile: 'string', energyDerived: 'boolean',
    },
  },
  SiteBalance: {
    required: ['site', 'ts', 'generationW', 'firmDemandW', 'minerW', 'availableW', 'reserveW', 'surplusW', 'imbalanceW', 'quality', 'staleMeters'],
    types: {
      site: ID, ts: 'string', generationW: 'number', firmDemandW: 'number', minerW: 'number', availableW: 'number', reserveW: 'number',
      surplusW: 'number', imbalanceW: 'number', busVoltageV: 'number', quality: ['good', 'stale', 'suspect', 'bad'], qualityReason: 'string',
      staleMeters: 'array',
    },
  },
  Order: {
    required: ['type', 'id', 'market', 'participant', 'side', 'quantityWh', 'priceMsatPerKwh', 'deliveryStart', 'deliveryEnd', 'createdAt', 'nonce'],
    types: {
      type: 'string', id: ID, market: ID, participant: ID, side: ['buy', 'sell'], orderType: ['limit', 'ioc', 'fok', 'post-only'],
      quantityWh: 'integer', priceMsatPerKwh: 'integer', minFillWh: 'integer', deliveryStart: 'string', deliveryEnd: 'string', zone: ID,
      payTo: 'string', createdAt: 'string', expiresAt: 'string', nonce: 'string', sig: 'string',
    },
  },
  Cancel: {
    required: ['type', 'id', 'market', 'participant', 'createdAt', 'nonce'],
    types: { type: 'string', id: ID, market: ID, participant: ID, createdAt: 'string', expiresAt: 'string', nonce: 'string', sig: 'string' },
  },
  Trade: {
    required: ['type', 'id', 'market', 'buyOrderId', 'sellOrderId', 'buyer', 'seller', 'payTo', 'quantityWh', 'priceMsatPerKwh', 'feeMsatPerKwh', 'deliveryStart', 'deliveryEnd', 'matchedAt', 'mode'],
    types: {
      type: 'string', id: ID, market: ID, buyOrderId: ID, sellOrderId: ID, buyer: ID, seller: ID, payTo: 'string', quantityWh: 'integer',
      priceMsatPerKwh: 'integer', feeMsatPerKwh: 'integer', deliveryStart: 'string', deliveryEnd: 'string', matchedAt: 'string',
      mode: ['continuous', 'auction'], buyerZone: ID, sellerZone: ID, surplusMsatPerKwh: 'integer',
    },
  },
  Reject: { required: ['type', 'orderId', 'reason', 'message', 'order'], types: { type: 'string', orderId: 'string', reason: REJECT_REASONS, message: 'string', order: 'any' } },
  ClearingSummary: {
    required: ['type', 'market', 'mode', 'mechanism', 'deliveryStart', 'deliveryEnd', 'clearedAt', 'zones', 'volumeWh', 'trades', 'welfareMsat', 'bestWelfareMsat', 'efficiencyPerMille', 'feesMsat', 'budgetSurplusMsat'],
    types: {
      type: 'string', market: ID, mode: ['continuous', 'auction'], mechanism: ['pay-as-clear', 'trade-reduction'], deliveryStart: 'string', deliveryEnd: 'string',
      clearedAt: 'string', priceMsatPerKwh: 'integer', buyerPriceMsatPerKwh: 'integer', zones: 'array', volumeWh: 'integer', trades: 'integer',
      welfareMsat: 'integer', bestWelfareMsat: 'integer', efficiencyPerMille: 'integer', feesMsat: 'integer', budgetSurplusMsat: 'integer',
    },
  },
  BookSnapshot: {
    required: ['type', 'market', 'ts', 'mode', 'slots', 'openOrders', 'seq', 'stateHash'],
    types: {
      type: 'string', market: ID, ts: 'string', mode: ['continuous', 'auction'], slots: 'array', lastPriceMsatPerKwh: 'integer', lastClearing: 'object',
      openOrders: 'integer', seq: 'integer', stateHash: 'string',
    },
  },
  Receipt: {
    required: ['type', 'tradeId', 'seq', 'energyWh', 'amountMsat', 'totalMsat', 'feeMsat', 'ts'],
    types: {
      type: 'string', tradeId: ID, seq: 'integer', energyWh: 'integer', amountMsat: 'integer', totalMsat: 'integer', feeMsat: 'integer',
      paymentHash: 'string', preimage: 'string', ts: 'string', final: 'boolean', payee: 'string', signature: 'string',
      issuer: ['payer', 'payee'], mode: ['keysend', 'invoice', 'prepay', 'escrow'], buyer: ID, seller: ID, meterId: ID,
      fromWh: 'integer', toWh: 'integer', counterStartWh: 'integer', counterEndWh: 'integer', priceMsatPerKwh: 'integer',
      deliveredWh: 'integer', unpaidMsat: 'integer', closeReason: 'string',
    },
  },
  Invoice: {
    required: ['type', 'tradeId', 'interval', 'fromWh', 'toWh', 'amountMsat', 'priceMsatPerKwh', 'paymentHash', 'request', 'hold', 'payee', 'buyer', 'seller', 'expiresAt', 'ts'],
    types: {
      type: 'string', tradeId: ID, interval: 'integer', fromWh: 'integer', toWh: 'integer', amountMsat: 'integer', priceMsatPerKwh: 'integer',
      paymentHash: 'string', request: 'string', hold: 'boolean', payee: 'string', buyer: ID, seller: ID, expiresAt: 'string', ts: 'string',
    },
  },
  CutOff: {
    required: ['type', 'tradeId', 'participant', 'unpaidMsat', 'unpaidWh', 'reason', 'ts'],
    types: {
      type: ['cutoff', 'restore', 'warning'], tradeId: ID, participant: ID, unpaidMsat: 'integer', unpaidWh: 'integer', reason: 'string', ts: 'string',
      seller: ID, deliveredWh: 'integer', receivedMsat: 'integer',
    },
  },
  PowerTarget: { required: ['minerId', 'targetW', 'reason', 'ts'], types: { minerId: ID, targetW: 'integer', reason: 'string', ts: 'string', site: ID } },
  MinerTelemetry: {
    required: ['minerId', 'ts', 'state', 'powerW', 'powerSource', 'targetW', 'hashrateThs', 'quality'],
    types: {
      minerId: ID, ts: 'string', state: ['hashing', 'ramping', 'sleeping', 'offline', 'error'], powerW: 'number',
      powerSource: ['measured', 'estimated', 'missing'], targetW: 'integer', hashrateThs: 'number', temperatureC: 'number',
      quality: ['good', 'stale', 'suspect', 'bad'], errorReason: 'string', site: ID, confirmed: 'boolean', capability: 'object',
    },
  },
};

const reading: MeterReading = {
  site: 'well-7', meterId: 'genset-1', role: 'genset', ts: '2026-11-25T12:00:00.000Z', powerW: 250_000, energyInWh: 1_000_000,
  energyOutWh: 0, availablePowerW: 320_000, quality: 'good',
};

describe('contracts', () => {
  for (const [name, pin] of Object.entries(PINS)) {
    it(`${name} has the fields, types, enums and required fields of docs/contracts.md`, () => {
      const entry = CONTRACTS.find((c) => c.name === name);
      assert.ok(entry, `${name} is published`);
      const schema = publishedSchema(entry) as { required?: string[]; properties: Record<string, { type?: string; enum?: unknown[] }> };
      assert.deepEqual([...(schema.required ?? [])].sort(), [...pin.required].sort(), 'required fields');
      assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(pin.types).sort(), 'fields');
      for (const [field, type] of Object.entries(pin.types)) {
        const property = schema.properties[field];
        if (Array.isArray(type)) assert.deepEqual(property.enum, type, `${name}.${field} enum`);
        else assert.equal(property.type ?? 'any', type, `${name}.${field} type`);
      }
    });
  }

  it('every published contract is pinned here', () => {
    assert.deepEqual(CONTRACTS.map((c) => c.name).filter((n) => n !== 'MeterProfile' && n !== 'Participant').sort(), Object.keys(PINS).sort());
  });

  it('accept a complete MeterReading, and unknown fields beside it', () => {
    assert.ok(isMeterReading(reading), isMeterReading.problems(reading).join('; '));
    assert.ok(isMeterReading({ ...reading, vendorNote: 'kept' }));
  });

  // The cases on which the hand-written validator and the schema used to disagree: one check decides now.
  for (const [field, value, says] of [
    ['ts', '2026', /ts must be an ISO 8601 date-time/],
    ['availablePowerW', -5, /availablePowerW must be >= 0/],
    ['fuelScfm', 'x', /fuelScfm must be a number, got "x"/],
    ['voltageV', '380', /voltageV must be a number, got "380"/],
    ['meterId', ' ', /meterId must match/],
    ['energyInWh', 10.5, /energyInWh must be a whole number, got 10.5/],
    ['site', 'well/7', /site must match/],
  ] as const) {
    it(`refuses a MeterReading with ${field} ${JSON.stringify(value)}, naming the field`, () => {
      const bad = { ...reading, [field]: value };
      assert.equal(isMeterReading(bad), false);
      assert.throws(() => isMeterReading.parse(bad), (err: ContractError) => err.code === 'CONTRACT_VIOLATION' && says.test(err.message));
    });
  }

  it('says which required field is missing and which enum a value must come from', () => {
    const { energyOutWh: _omitted, ...withoutEnergy } = reading;
    assert.deepEqual(isMeterReading.problems(withoutEnergy), ["the MeterReading is missing the required property 'energyOutWh'"]);
    assert.deepEqual(isMeterReading.problems({ ...reading, role: 'generator' }), ['role must be one of genset, bus, load, prosumer, miner, battery, got "generator"']);
  });

  it('accept a SiteBalance and refuse one without its quality', () => {
    const balance: SiteBalance = {
      site: 'site-1', ts: '2026-11-25T12:00:00Z', generationW: 250_000, firmDemandW: 36_000, minerW: 213_500, availableW: 320_000,
      reserveW: 20_000, surplusW: 264_000, busVoltageV: 381.2, quality: 'good', staleMeters: [], imbalanceW: 500,
    };
    assert.ok(isSiteBalance(balance), isSiteBalance.problems(balance).join('; '));
    const { quality: _quality, ...withoutQuality } = balance;
    assert.equal(isSiteBalance(withoutQuality), false);
  });

  it('money and energy in orders and trades are whole numbers', () => {
    const order = {
      type: 'order', id: 'o-1', market: 'well-7', participant: 'alice', side: 'sell', quantityWh: 1000, priceMsatPerKwh: 30_000,
      deliveryStart: '2026-12-01T06:00:00Z', deliveryEnd: '2026-12-01T06:15:00Z', createdAt: '2026-12-01T05:50:00Z', nonce: 'n0000001',
    };
    assert.ok(isOrder(order), isOrder.problems(order).join('; '));
    assert.match(isOrder.problems({ ...order, priceMsatPerKwh: 30.5 }).join(), /priceMsatPerKwh must be a whole number/);
    assert.match(isOrder.problems({ ...order, quantityWh: 0 }).join(), /quantityWh must be >= 1/);
    assert.equal(isTrade({ ...order, type: 'trade' }), false);
  });
});
