// The simulator's market participants: each of the plant's prosumers trades as an outside participant does, over
// MQTT with mqtt.js, by the published contract (docs/contracts.md, schemas/order.schema.json): before each
// delivery slot's gate closes it posts a signed Order to <prefix>/<market>/orders for what its prosumer expects
// to draw or export, and it listens to its own rejects. Keys are made at start; the registry the matcher trusts
// (id, public key, zone, payTo) is written to a file. The private keys never leave this process.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Clock, Timer } from '../../lib/clock';
import { SimError } from '../errors';
import { Prng } from '../plant/prng';
import { newSigningIdentity, type SigningIdentity } from './signing';

export type { SigningIdentity } from './signing';
import { nextOpenSlotMs, planOrder, type MarketRules, type ParticipantSpec } from './strategy';

export { canonicalJson } from './canonical';
export { onGrid, nextOpenSlotMs, planOrder, type MarketRules, type ParticipantSpec, type PlannedOrder } from './strategy';

/** A matcher registry entry (the Participant contract). */
export interface RegistryEntry {
  id: string;
  publicKey: string;
  zone?: string;
  payTo?: string;
}

export interface ParticipantTruth {
  id: string;
  ordersSent: number;
  lastOrder?: Record<string, unknown>;
  rejects: { reason: string; message: string }[];
}

export interface ParticipantsOptions {
  brokerUrl: string;
  clock: Clock;
  rules: MarketRules;
  participants: readonly ParticipantSpec[];
  /** the prosumer's net draw now, W (positive draws from the bus) */
  netDrawW(prosumer: number): number;
  topicPrefix?: string;
  seed?: number;
  /** their keys, made by `participantIdentities` (before the matcher that reads their registry starts) */
  identities?: ReadonlyMap<string, SigningIdentity>;
  /** how long before a slot's gate an order is still made, ms of the clock; default 60 s */
  gateMarginMs?: number;
}

export interface RunningParticipants {
  readonly registry: readonly RegistryEntry[];
  truth(): ParticipantTruth[];
  stop(): Promise<void>;
}

const ISO = (ms: number) => new Date(ms).toISOString();

class SimParticipant {
  private timer: Timer | undefined;
  private seq = 0;
  readonly state: ParticipantTruth;

  constructor(
    readonly spec: ParticipantSpec,
    readonly identity: SigningIdentity,
    private readonly options: ParticipantsOptions,
    private readonly client: MqttClient,
    private readonly prng: Prng,
  ) {
    this.state = { id: spec.id, ordersSent: 0, rejects: [] };
  }

  /**
   * Orders for the next open slot a little after the start (the market's subscriptions may still be forming),
   * then once per slot, a little after each slot starts.
   */
  start(): void {
    this.timer = this.options.clock.setTimeout(() => this.orderNextSlot(), this.prng.between(5_000, 30_000));
  }

  private orderNextSlot(): void {
    const { clock, rules } = this.options;
    const now = clock.nowMs();
    const slot = nextOpenSlotMs(now, rules, this.options.gateMarginMs ?? 60_000);
    const planned = planOrder(this.spec, this.options.netDrawW(this.spec.prosumer), rules, this.prng);
    if (planned) this.send(slot, planned.side, planned.quantityWh, planned.priceMsatPerKwh, now);
    // Next time: early in the slot after this one's start, when the following slot is the next open one.
    const wakeAt = Math.floor(now / rules.slotMs) * rules.slotMs + rules.slotMs + this.prng.between(5_000, 60_000);
    this.timer = clock.setTimeout(() => this.orderNextSlot(), wakeAt - now);
  }

  private send(slotStartMs: number, side: 'buy' | 'sell', quantityWh: number, priceMsatPerKwh: number, nowMs: number): void {
    const { rules } = this.options;
    this.seq += 1;
    const order: Record<string, unknown> = {
      type: 'order',
      id: `${this.spec.id}.${ISO(slotStartMs).replace(/[-:]|\.\d+Z$/g, '')}.${this.seq}`,
      market: rules.market,
      participant: this.spec.id,
      side,
      quantityWh,
      priceMsatPerKwh,
      deliveryStart: ISO(slotStartMs),
      deliveryEnd: ISO(slotStartMs + rules.slotMs),
      createdAt: ISO(nowMs),
      // The order leaves the book when its slot's gate closes.
      expiresAt: ISO(slotStartMs - rules.gateClosureLeadMs),
      nonce: randomBytes(12).toString('base64url'),
      ...(this.spec.zone ? { zone: this.spec.zone } : {}),
      ...(side === 'sell' && this.spec.payTo ? { payTo: this.spec.payTo } : {}),
    };
    const signed = this.identity.signed(order);
    this.client.publish(ordersTopic(this.options), JSON.stringify(signed), { qos: 1 });
    this.state.ordersSent += 1;
    this.state.lastOrder = signed;
  }

  rejected(payload: Buffer): void {
    try {
      const reject = JSON.parse(payload.toString()) as { reason?: unknown; message?: unknown };
      this.state.rejects.push({ reason: String(reject.reason), message: String(reject.message) });
    } catch {
      this.state.rejects.push({ reason: 'unreadable', message: payload.toString().slice(0, 200) });
    }
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

function ordersTopic(options: ParticipantsOptions): string {
  return `${options.topicPrefix ?? 'flaregrid'}/${options.rules.market}/orders`;
}

/** A fresh Ed25519 key for each participant. */
export function participantIdentities(participants: readonly ParticipantSpec[]): Map<string, SigningIdentity> {
  const ids = new Set(participants.map((p) => p.id));
  if (ids.size !== participants.length) throw new SimError('ERR_OPTION', 'two simulated participants have the same id');
  return new Map(participants.map((p) => [p.id, newSigningIdentity()]));
}

/** The registry entries the matcher trusts: id, public key, zone and payTo of each participant. */
export function registryOf(participants: readonly ParticipantSpec[], identities: ReadonlyMap<string, SigningIdentity>): RegistryEntry[] {
  return participants.map((p) => ({
    id: p.id,
    publicKey: identityOf(identities, p.id).publicKeyHex,
    ...(p.zone ? { zone: p.zone } : {}),
    ...(p.payTo ? { payTo: p.payTo } : {}),
  }));
}

/** Writes the registry as a JSON array (the matcher's registry file). */
export function writeRegistry(file: string, registry: readonly RegistryEntry[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(registry, null, 2)}\n`);
}

function identityOf(identities: ReadonlyMap<string, SigningIdentity>, id: string): SigningIdentity {
  const identity = identities.get(id);
  if (!identity) throw new SimError('ERR_OPTION', `no key for the simulated participant ${id}`);
  return identity;
}

export async function startParticipants(options: ParticipantsOptions): Promise<RunningParticipants> {
  const identities = options.identities ?? participantIdentities(options.participants);
  const prefix = options.topicPrefix ?? 'flaregrid';
  const client = mqtt.connect(options.brokerUrl, { clientId: `flaregrid-sim-participants-${randomBytes(4).toString('hex')}`, reconnectPeriod: 1000 });
  // mqtt.js reports a refused or lost connection as an error and reconnects by itself; the first connect is awaited.
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new SimError('ERR_BROKER', `no MQTT broker answered at ${options.brokerUrl}`)), 10_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await client.endAsync(true);
    throw err;
  });
  const prng = new Prng(options.seed ?? 1);
  const participants = options.participants.map((spec) => new SimParticipant(spec, identityOf(identities, spec.id), options, client, prng));
  const registry = registryOf(options.participants, identities);
  const byId = new Map(participants.map((p) => [p.spec.id, p]));
  const rejectsPrefix = `${prefix}/${options.rules.market}/rejects/`;
  client.on('message', (topic, payload) => {
    if (topic.startsWith(rejectsPrefix)) byId.get(topic.slice(rejectsPrefix.length))?.rejected(payload);
  });
  await client.subscribeAsync(participants.map((p) => `${rejectsPrefix}${p.spec.id}`), { qos: 1 });
  for (const p of participants) p.start();
  return {
    registry,
    truth: () => participants.map((p) => ({ ...p.state, rejects: [...p.state.rejects] })),
    stop: async () => {
      for (const p of participants) p.stop();
      await client.endAsync();
    },
  };
}
