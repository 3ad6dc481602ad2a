// The operations group every control flow has: a Catch node for every error on its tab and a Status node for
// its FlareGrid and Modbus nodes. Errors are written to Node-RED's log (a debug node to the console) and, with
// every status change, handed to the dashboard flow through link nodes, which do nothing when the dashboard is
// not deployed.
import { Flow, type FlowNode } from './kit';

export interface Operations {
  group: FlowNode;
  errorsOut: FlowNode;
  statusesOut: FlowNode;
}

const LOG_LINE = `// One line per error: where it happened and why, for the log and the dashboard's event list.
const source = msg.error && msg.error.source ? msg.error.source : {};
msg.payload = {
    ts: new Date().toISOString().slice(11, 19),
    flow: env.get('NR_FLOW_NAME'),
    node: source.name || source.type || source.id || 'unknown',
    nodeId: source.id || '',
    message: msg.error ? String(msg.error.message) : String(msg.payload)
};
msg.topic = 'error';
return msg;`;

/** Catch and Status for the nodes on `flow`'s tab, `watched` being the nodes whose status the dashboard shows. */
export function operationsGroup(flow: Flow, watched: FlowNode[], origin: { col: number; row: number }): Operations {
  const catchAll = flow.node('ops:catch', 'catch', { name: 'every error', scope: null, uncaught: false }, { col: origin.col, row: origin.row });
  const line = flow.node(
    'ops:line',
    'function',
    { name: 'error log line', func: LOG_LINE, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [] },
    { col: origin.col + 1, row: origin.row },
  );
  const log = flow.node(
    'ops:log',
    'debug',
    {
      name: 'error log',
      active: true,
      tosidebar: true,
      console: true,
      tostatus: true,
      complete: 'payload',
      targetType: 'msg',
      statusVal: 'payload.message',
      statusType: 'msg',
    },
    { col: origin.col + 2, row: origin.row, dy: -0.33 },
  );
  const errorsOut = flow.node('ops:errors-out', 'link out', { name: 'errors to dashboard', mode: 'link', links: [] }, { col: origin.col + 2, row: origin.row, dy: 0.33 });
  flow.wire(catchAll, line);
  flow.wire(line, log);
  flow.wire(line, errorsOut);
  const status = flow.node('ops:status', 'status', { name: 'node status', scope: watched.map((n) => n.id) }, { col: origin.col, row: origin.row + 1 });
  const statusesOut = flow.node('ops:statuses-out', 'link out', { name: 'statuses to dashboard', mode: 'link', links: [] }, { col: origin.col + 2, row: origin.row + 1 });
  flow.wire(status, statusesOut);
  const group = flow.group('group:operations', 'Operations: errors to the log and the dashboard', [catchAll, line, log, errorsOut, status, statusesOut]);
  return { group, errorsOut, statusesOut };
}
