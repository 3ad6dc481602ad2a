// How each dashboard tab hears the site: an mqtt in node subscribed at start to the site's topics, built from
// FLAREGRID_SITE (or FLAREGRID_MARKET) in the global environment, so the dashboard follows one site even on a
// broker that several share. The control flows publish these topics; the dashboard only listens.
import { Flow, type FlowNode, type Place } from '../kit';
import { SHARED } from '../site';

export interface Listener {
  nodes: FlowNode[];
  mqttIn: FlowNode;
}

/**
 * `topics` is a JSONata array of topic strings, e.g. `["flaregrid/" & $env("FLAREGRID_SITE") & "/balance"]`.
 */
export function listen(flow: Flow, key: string, name: string, topics: string, at: Place): Listener {
  const start = flow.node(
    `${key}:start`,
    'inject',
    { name: 'on start', props: [], repeat: '', crontab: '', once: true, onceDelay: 0.1, topic: '' },
    at,
    { label: 'on start' },
  );
  const subscribe = flow.node(
    `${key}:subscribe`,
    'change',
    {
      name: 'subscribe',
      rules: [
        { t: 'set', p: 'action', pt: 'msg', to: 'subscribe', tot: 'str' },
        { t: 'set', p: 'topic', pt: 'msg', to: topics, tot: 'jsonata' },
      ],
      action: '',
      property: '',
      from: '',
      to: '',
      reg: false,
    },
    { ...at, col: at.col + 0.75 },
  );
  const mqttIn = flow.node(
    `${key}:mqtt`,
    'mqtt in',
    { name, topic: '', qos: '1', datatype: 'json', broker: SHARED.broker, nl: false, rap: true, rh: 0, inputs: 1 },
    { ...at, col: at.col + 1.5 },
  );
  flow.wire(start, subscribe);
  flow.wire(subscribe, mqttIn);
  return { nodes: [start, subscribe, mqttIn], mqttIn };
}

/** A JSONata topic under the site: `site(["balance", "meters/+"])`. */
export function siteTopics(levels: string[]): string {
  return `[${levels.map((l) => `"flaregrid/" & $env("FLAREGRID_SITE") & "/${l}"`).join(', ')}]`;
}

export function marketTopics(levels: string[]): string {
  return `[${levels.map((l) => `"flaregrid/" & $env("FLAREGRID_MARKET") & "/${l}"`).join(', ')}]`;
}

/** A function node: its code is JavaScript (ES2021) that nrlint's eslint rules check. */
export function fn(flow: Flow, key: string, name: string, code: string, outputs: number, at: Place, outputLabels: string[] = []): FlowNode {
  return flow.node(
    key,
    'function',
    { name, func: code, outputs, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], outputLabels },
    at,
    { outputs },
  );
}
