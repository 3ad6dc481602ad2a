// Every MQTT topic of docs/contracts.md, built and parsed in one place from a configurable prefix (default
// `flaregrid`), so that nodes, reference flows and outside participants agree on one spelling:
//   <prefix>/<market>/orders                      orders and cancels in (QoS 1)
//   <prefix>/<market>/trades
//   <prefix>/<market>/rejects/<participant>
//   <prefix>/<market>/book                        retained snapshot
//   <prefix>/<market>/invoices/<buyer>            a payee gate's invoices for one buyer
//   <prefix>/<market>/receipts/<participant>      receipts for one participant (payer or payee)
//   <prefix>/<site>/meters/<meterId>
//   <prefix>/<site>/balance
//   <prefix>/<site>/miners/<minerId>/telemetry
//   <prefix>/<site>/miners/<minerId>/target       PowerTarget from dispatch
// Ids are checked against the contracts' id pattern, so no '/', '+' or '#' can split or widen a topic.

import { ID_PATTERN } from './schemas/kit';

export const DEFAULT_TOPIC_PREFIX = 'flaregrid';

export type ParsedTopic =
  | { kind: 'orders'; market: string }
  | { kind: 'trades'; market: string }
  | { kind: 'rejects'; market: string; participant: string }
  | { kind: 'book'; market: string }
  | { kind: 'invoices'; market: string; buyer: string }
  | { kind: 'receipts'; market: string; participant: string }
  | { kind: 'meter'; site: string; meterId: string }
  | { kind: 'balance'; site: string }
  | { kind: 'miner-telemetry'; site: string; minerId: string }
  | { kind: 'miner-target'; site: string; minerId: string };

export class TopicError extends Error {
  readonly code = 'TOPIC_INVALID';
  override name = 'TopicError';
}

const ID = new RegExp(ID_PATTERN);
/** a prefix is one or more topic levels without wildcards */
const PREFIX = /^[A-Za-z0-9_.:-]+(\/[A-Za-z0-9_.:-]+)*$/;

function level(value: string, what: string): string {
  if (!ID.test(value)) throw new TopicError(`${what} '${value}' cannot be a topic level: use 1 to 64 letters, digits or _ . : -`);
  return value;
}

export class Topics {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_TOPIC_PREFIX) {
    if (!PREFIX.test(prefix)) throw new TopicError(`topic prefix '${prefix}' must be topic levels of letters, digits or _ . : - without wildcards`);
    this.prefix = prefix;
  }

  orders(market: string): string {
    return `${this.prefix}/${level(market, 'market')}/orders`;
  }

  trades(market: string): string {
    return `${this.prefix}/${level(market, 'market')}/trades`;
  }

  rejects(market: string, participant: string): string {
    return `${this.prefix}/${level(market, 'market')}/rejects/${level(participant, 'participant')}`;
  }

  book(market: string): string {
    return `${this.prefix}/${level(market, 'market')}/book`;
  }

  invoices(market: string, buyer: string): string {
    return `${this.prefix}/${level(market, 'market')}/invoices/${level(buyer, 'buyer')}`;
  }

  receipts(market: string, participant: string): string {
    return `${this.prefix}/${level(market, 'market')}/receipts/${level(participant, 'participant')}`;
  }

  meter(site: string, meterId: string): string {
    return `${this.prefix}/${level(site, 'site')}/meters/${level(meterId, 'meter id')}`;
  }

  balance(site: string): string {
    return `${this.prefix}/${level(site, 'site')}/balance`;
  }

  minerTelemetry(site: string, minerId: string): string {
    return `${this.prefix}/${level(site, 'site')}/miners/${level(minerId, 'miner id')}/telemetry`;
  }

  minerTarget(site: string, minerId: string): string {
    return `${this.prefix}/${level(site, 'site')}/miners/${level(minerId, 'miner id')}/target`;
  }

  /** What a topic is, or undefined when it is not one of ours under this prefix. */
  parse(topic: string): ParsedTopic | undefined {
    if (!topic.startsWith(`${this.prefix}/`)) return undefined;
    const parts = topic.slice(this.prefix.length + 1).split('/');
    if (!parts.every((part) => ID.test(part))) return undefined;
    const [scope, what, id, tail] = parts;
    switch (parts.length) {
      case 2:
        if (what === 'orders') return { kind: 'orders', market: scope };
        if (what === 'trades') return { kind: 'trades', market: scope };
        if (what === 'book') return { kind: 'book', market: scope };
        if (what === 'balance') return { kind: 'balance', site: scope };
        return undefined;
      case 3:
        if (what === 'rejects') return { kind: 'rejects', market: scope, participant: id };
        if (what === 'invoices') return { kind: 'invoices', market: scope, buyer: id };
        if (what === 'receipts') return { kind: 'receipts', market: scope, participant: id };
        if (what === 'meters') return { kind: 'meter', site: scope, meterId: id };
        return undefined;
      case 4:
        if (what !== 'miners') return undefined;
        if (tail === 'telemetry') return { kind: 'miner-telemetry', site: scope, minerId: id };
        if (tail === 'target') return { kind: 'miner-target', site: scope, minerId: id };
        return undefined;
      default:
        return undefined;
    }
  }
}
