// A matcher behind an MQTT broker, as a market site deploys it: core mqtt in (orders) -> flaregrid-matcher ->
// core mqtt out (trades, rejects, the retained book); with delivery confirmation, a trade counts as delivered when
// the trades' mqtt out node has the broker's acknowledgement. Tests send control messages (snapshot, clear) on
// flaregrid/<market>/control.
import type { FlowNode } from '../../scripts/start-flows';
import type { Participant } from '../../lib/schemas';
import { matcherConfig } from './market';

export interface MarketFlowOptions {
  brokerPort: number;
  dataDir: string;
  participants: readonly Participant[];
  matcher?: Record<string, unknown>;
  /** default true: a trade counts as delivered once the broker acknowledged it */
  confirm?: boolean;
}

export const CONTROL_TOPIC = 'flaregrid/well-7/control';

export function marketFlow(options: MarketFlowOptions): FlowNode[] {
  const confirm = options.confirm ?? true;
  let y = 40;
  const onTab = (node: Record<string, unknown>): FlowNode => ({ z: 'market-tab', x: 200, y: (y += 60), ...node }) as unknown as FlowNode;
  return [
    { id: 'market-tab', type: 'tab', label: 'market' },
    // Two connections: the broker's acknowledgements of trades would otherwise queue behind the incoming orders
    // on one connection, and a trade would count as delivered only once the matcher had caught up.
    ...['broker-in', 'broker-out'].map((id) => ({
      id, type: 'mqtt-broker', name: `${id.slice(7)} connection`, broker: '127.0.0.1', port: String(options.brokerPort), clientid: '',
      autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '60', cleansession: true, autoUnsubscribe: true,
      birthTopic: '', closeTopic: '', willTopic: '', userProps: '', sessionExpiry: '',
    })),
    onTab({ id: 'orders-in', type: 'mqtt in', name: 'orders', topic: 'flaregrid/well-7/orders', qos: '1', datatype: 'utf8', broker: 'broker-in', nl: false, rap: true, rh: 0, inputs: 0, wires: [['matcher']] }),
    onTab({ id: 'control-in', type: 'mqtt in', name: 'control', topic: CONTROL_TOPIC, qos: '1', datatype: 'utf8', broker: 'broker-in', nl: false, rap: true, rh: 0, inputs: 0, wires: [['control-topic']] }),
    onTab({ id: 'control-topic', type: 'change', name: 'payload to topic', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'payload', tot: 'msg' }], wires: [['matcher']] }),
    onTab({
      id: 'matcher',
      ...matcherConfig(options.dataDir, options.participants, { confirmDelivery: confirm, retryS: 2, bookIntervalS: 1, ...options.matcher }),
      wires: [['trades-out'], ['rejects-out'], ['book-out']],
    }),
    onTab({ id: 'trades-out', type: 'mqtt out', name: 'trades', topic: '', qos: '', retain: '', broker: 'broker-out', wires: [] }),
    onTab({ id: 'rejects-out', type: 'mqtt out', name: 'rejects', topic: '', qos: '', retain: '', broker: 'broker-out', wires: [] }),
    onTab({ id: 'book-out', type: 'mqtt out', name: 'book', topic: '', qos: '', retain: '', broker: 'broker-out', wires: [] }),
  ];
}
