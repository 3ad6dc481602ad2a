// The slice of the Node-RED runtime API our nodes use. @types/node-red dates from Node-RED 1.3 and lacks the
// three-argument input handler and two-argument close handler that Node-RED 4 and 5 count on, so we keep
// our own small declaration instead.

export interface NodeMessage {
  _msgid?: string;
  topic?: string;
  payload?: unknown;
  [key: string]: unknown;
}

export type NodeSend = (msg: NodeMessage | null | (NodeMessage | NodeMessage[] | null)[]) => void;
export type NodeDone = (err?: Error) => void;

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

/** A node's context. Use the callback forms: a persistent store may answer asynchronously. */
export interface ContextStore {
  get(key: string, store: string | undefined, callback: (err: Error | null, value: unknown) => void): void;
  set(key: string, value: unknown, store: string | undefined, callback: (err?: Error) => void): void;
}

export interface RuntimeNode {
  id: string;
  type: string;
  name?: string;
  z?: string;
  credentials?: Record<string, string>;
  on(event: 'input', handler: (msg: NodeMessage, send: NodeSend, done: NodeDone) => void): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage | null | (NodeMessage | NodeMessage[] | null)[]): void;
  status(status: NodeStatus): void;
  log(text: string): void;
  warn(text: string): void;
  error(err: string | Error, msg?: NodeMessage): void;
  context(): ContextStore;
}

/** What the onComplete hook is given when a node has finished with a message. */
export interface CompleteEvent {
  msg: NodeMessage;
  error?: unknown;
  node: { id: string };
}

export interface NodeDefinition {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

/** an express handler, as RED.httpAdmin takes it */
export type HttpHandler = (req: any, res: any, next: () => void) => void;

export interface NodeRedAPI {
  nodes: {
    createNode(node: object, config: NodeDefinition): void;
    registerType(type: string, ctor: Function, options?: { credentials?: object; settings?: object }): void;
    getNode(id: string): RuntimeNode | null;
    /** the stored credentials of a deployed node */
    getCredentials(id: string): Record<string, string> | undefined;
    /** every node of the deployed flows, as configured (config nodes included) */
    eachNode(callback: (definition: NodeDefinition) => void): void;
  };
  httpAdmin: {
    get(path: string, ...handlers: HttpHandler[]): void;
    post(path: string, ...handlers: HttpHandler[]): void;
  };
  auth: { needsPermission(permission: string): (req: any, res: any, next: () => void) => void };
  util: {
    evaluateNodeProperty(
      value: string,
      type: string,
      node: RuntimeNode,
      msg: NodeMessage,
      callback: (err: Error | null, result: unknown) => void,
    ): void;
  };
  /** Node-RED's message hooks (Node-RED 2 and later): https://nodered.org/docs/api/hooks/ */
  hooks: {
    add(hookId: string, handler: (event: CompleteEvent) => void): void;
    remove(hookId: string): void;
  };
  settings: Record<string, unknown>;
  _: (key: string, substitutions?: Record<string, string | number>) => string;
}
