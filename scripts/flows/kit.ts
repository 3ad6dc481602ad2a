// Building blocks of the shipped flows (flows/ and examples/): stable node ids, nodes placed on the editor's
// 20 px grid in columns and rows, wires, link pairs and groups whose frames hold their nodes. The flows are
// written from code so that their layout can be checked (every wire runs left to right, no node overlaps
// another, every node is in a group) and so that a list of 180 miners stays one line of code.
import { createHash } from 'node:crypto';

export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  g?: string;
  x?: number;
  y?: number;
  w?: number;
  h?: number;
  wires?: string[][];
  [key: string]: unknown;
}

/** A 16-hex-digit id, as the editor makes them, that stays the same for the same file and key. */
export function stableId(file: string, key: string): string {
  return createHash('sha256').update(`${file}\u0000${key}`).digest('hex').slice(0, 16);
}

export const GRID = 20;
export const COLUMN = 240;
export const ROW = 60;
const NODE_HEIGHT = 30;
/** the editor's frame around the nodes of a group (red.js: margin 26) */
export const GROUP_MARGIN = 26;

/** Roughly what the editor measures for a label in its 14 px font. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[A-Z mwMW]/.test(ch) ? 9 : /[il.,:;'|! ]/.test(ch) ? 4 : 7.5;
  return width;
}

/** The editor's node box: at least 100 px, the label plus its icon rounded up to the grid (red.js). */
export function nodeWidth(label: string, type: string): number {
  if (type === 'link in' || type === 'link out' || type === 'junction') return type === 'junction' ? 10 : 30;
  return Math.max(100, GRID * Math.ceil((textWidth(label) + 57) / GRID));
}

/** Nodes with a button on their left (inject) or right (debug) need room for it in a group's frame. */
export const BUTTON_LEFT = new Set(['inject']);
export const BUTTON_RIGHT = new Set(['debug']);

/** Node types without outputs; every other type is given one unless told otherwise. */
const NO_OUTPUTS = new Set(['debug', 'mqtt out', 'link out', 'comment', 'ui-text', 'http response', 'file']);
/** The editor's size of each node placed here (not written to the flow: the editor measures it itself). */
const SIZES = new WeakMap<FlowNode, { w: number; h: number }>();

export interface Place {
  /** column from 0: its left edge at `left + col * COLUMN` */
  col: number;
  /** row from 0: its centre at `top + row * ROW` */
  row: number;
  /** a fraction of a row or column, for link nodes beside a node */
  dx?: number;
  dy?: number;
}

export class Flow {
  readonly tab: FlowNode;
  private readonly all: FlowNode[] = [];
  private readonly keys = new Map<string, FlowNode>();

  constructor(
    readonly file: string,
    tab: { label: string; info: string; env?: { name: string; value: string; type: string }[] },
    readonly origin = { left: 60, top: 60 },
    /** a prefix of every key, for a file that holds several tabs */
    readonly scope = '',
  ) {
    this.tab = { id: this.id('tab'), type: 'tab', label: tab.label, disabled: false, info: tab.info, env: tab.env ?? [] };
    this.all.push(this.tab);
  }

  id(key: string): string {
    return stableId(this.file, this.scope === '' ? key : `${this.scope}/${key}`);
  }

  /**
   * A node on the tab. `label` is what the editor shows, for its width: the name unless given; `outputs` its
   * number of outputs, for its wires (most node types have one; those of NO_OUTPUTS none).
   */
  node(key: string, type: string, props: Record<string, unknown>, at: Place, options: { label?: string; outputs?: number } = {}): FlowNode {
    if (this.keys.has(key)) throw new Error(`${this.file}: two nodes are called ${key}`);
    const outputs = options.outputs ?? (typeof props.outputs === 'number' ? props.outputs : NO_OUTPUTS.has(type) ? 0 : 1);
    const w = nodeWidth(options.label ?? String(props.name || props.label || type), type);
    const left = this.origin.left + at.col * COLUMN + Math.round(((at.dx ?? 0) * COLUMN) / GRID) * GRID;
    const y = this.origin.top + Math.round((at.row * ROW + (at.dy ?? 0) * ROW) / GRID) * GRID;
    const node: FlowNode = { id: this.id(key), type, z: this.tab.id, ...props, x: left + w / 2, y, wires: Array.from({ length: outputs }, () => []) };
    SIZES.set(node, { w, h: Math.max(NODE_HEIGHT, outputs * 15) });
    this.keys.set(key, node);
    this.all.push(node);
    return node;
  }

  /** A node without a place on the tab: a config node, shared by every tab that names it. */
  config(key: string, type: string, props: Record<string, unknown>): FlowNode {
    const node: FlowNode = { id: this.id(key), type, ...props };
    this.keys.set(key, node);
    this.all.push(node);
    return node;
  }

  get(key: string): FlowNode {
    const node = this.keys.get(key);
    if (!node) throw new Error(`${this.file}: no node ${key}`);
    return node;
  }

  wire(from: FlowNode, to: FlowNode, port = 0): void {
    const wires = from.wires as string[][];
    while (wires.length <= port) wires.push([]);
    if (!wires[port].includes(to.id)) wires[port].push(to.id);
  }

  /** Ties a link out to a link in (on this tab or another): both keep the other's id, as the editor does. */
  link(out: FlowNode, into: FlowNode): void {
    for (const [node, other] of [[out, into], [into, out]] as const) {
      const links = (node.links ??= []) as string[];
      if (!links.includes(other.id)) links.push(other.id);
    }
  }

  /** A labelled frame around nodes; its bounds are the editor's, so that it does not move on import. */
  group(key: string, name: string, members: FlowNode[], style: Record<string, unknown> = {}): FlowNode {
    const box = bounds(members);
    const group: FlowNode = {
      id: this.id(key),
      type: 'group',
      z: this.tab.id,
      name,
      style: { label: true, ...style },
      nodes: members.map((n) => n.id),
      x: box.left - GROUP_MARGIN,
      y: box.top - GROUP_MARGIN,
      w: box.right - box.left + 2 * GROUP_MARGIN,
      h: box.bottom - box.top + 2 * GROUP_MARGIN,
    };
    for (const member of members) {
      if (member.g) throw new Error(`${this.file}: ${member.type} ${String(member.name ?? member.id)} is in two groups`);
      member.g = group.id;
    }
    // The editor lists a group before its members.
    this.all.splice(Math.min(...members.map((m) => this.all.indexOf(m))), 0, group);
    return group;
  }

  nodes(): FlowNode[] {
    return this.all;
  }
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The box of a node as the editor draws it, buttons included. */
export function nodeBox(node: FlowNode): Box {
  const { w, h } = SIZES.get(node) ?? { w: 100, h: NODE_HEIGHT };
  const x = node.x ?? 0;
  const y = node.y ?? 0;
  return {
    left: x - w / 2 - (BUTTON_LEFT.has(node.type) ? 20 : 0),
    right: x + w / 2 + (BUTTON_RIGHT.has(node.type) ? 20 : 0),
    top: y - h / 2,
    bottom: y + h / 2,
  };
}

function bounds(nodes: FlowNode[]): Box {
  const boxes = nodes.map(nodeBox);
  return {
    left: Math.min(...boxes.map((b) => b.left)),
    top: Math.min(...boxes.map((b) => b.top)),
    right: Math.max(...boxes.map((b) => b.right)),
    bottom: Math.max(...boxes.map((b) => b.bottom)),
  };
}

/** A comment node's text: the lines of a Markdown note, as the editor's info tab shows it. */
export function note(...lines: string[]): string {
  return lines.join('\n');
}

/**
 * The settings of a node-red-contrib-modbus `modbus-client` on TCP, every property its editor saves: commands queued,
 * failures logged, reconnection after 2 s. The serial properties are the editor's defaults, unused on TCP.
 */
export function modbusTcpClientSettings(host: string, port: string): Record<string, string | boolean> {
  return {
    clienttype: 'tcp',
    bufferCommands: true,
    stateLogEnabled: false,
    queueLogEnabled: false,
    failureLogEnabled: true,
    tcpHost: host,
    tcpPort: port,
    tcpType: 'DEFAULT',
    serialPort: '/dev/ttyUSB0',
    serialType: 'RTU-BUFFERD',
    serialBaudrate: '9600',
    serialDatabits: '8',
    serialStopbits: '1',
    serialParity: 'none',
    serialConnectionDelay: '100',
    serialAsciiResponseStartDelimiter: '0x3A',
    unit_id: '1',
    commandDelay: '1',
    clientTimeout: '1000',
    reconnectOnTimeout: true,
    reconnectTimeout: '2000',
    parallelUnitIdsAllowed: true,
  };
}
