// node-red-node-test-helper ships no types; these cover the calls our tests make.
declare module 'node-red-node-test-helper' {
  interface TestNode {
    id: string;
    type: string;
    on(event: string, listener: (...args: any[]) => void): void;
    receive(msg: object): void;
    [key: string]: any;
  }
  interface Helper {
    init(nodeRedPath: string, userSettings?: object): void;
    load(nodes: unknown | unknown[], flow: object[], credentials?: object): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): TestNode;
    startServer(done?: (err?: Error) => void): Promise<void>;
    stopServer(done?: (err?: Error) => void): Promise<void>;
    settings(settings: object): void;
    clearFlows(): Promise<void>;
    setFlows(flow: object[], type?: string, credentials?: object): Promise<void>;
    request(): any;
    url(): string;
    log(): any;
    _RED: any;
  }
  const helper: Helper;
  export = helper;
}
