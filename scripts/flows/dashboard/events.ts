// The dashboard's Events page: every error the control flows catch, as a notification and in a list, and the
// status of every FlareGrid and Modbus node. The control flows' operations groups link here.
import { Flow, note, type FlowNode } from '../kit';
import { fn } from './listen';
import type { DashboardPage } from './plant';
import { notification, table, uiGroup, uiPage } from './widgets';

const ABOUT = note(
  '## Dashboard: Events',
  '',
  "The control flows' Catch nodes send every error here (link in *errors*), their Status nodes every status change",
  "(link in *statuses*). An error shows as a notification and stays in the list (the last 100, newest first);",
  'the status table holds the last status of each node. Without this flow the control flows still log every error.',
);

const RECENT_ERRORS = `// Keeps the last 100 errors, newest first, and shows each as a notification.
const recent = context.get('errors') || [];
recent.unshift(msg.payload);
recent.length = Math.min(recent.length, 100);
context.set('errors', recent);
const e = msg.payload;
return [{ payload: recent }, { payload: e.flow + ' / ' + e.node + ': ' + e.message }];`;

const NODE_STATUSES = `// The last status of each watched node, by node.
const statuses = context.get('statuses') || {};
const source = msg.status.source || {};
statuses[source.id] = {
    node: source.name || source.type || source.id,
    type: source.type,
    colour: msg.status.fill || '',
    status: msg.status.text || '',
    ts: new Date().toISOString().slice(11, 19)
};
context.set('statuses', statuses);
const rows = Object.keys(statuses).map((id) => statuses[id]).sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }));
return { payload: rows };`;

export interface EventsPage extends DashboardPage {
  errorsIn: FlowNode;
  statusesIn: FlowNode;
}

export function eventsPage(file: string, order: number): EventsPage {
  const flow = new Flow(file, { label: 'Dashboard: Events', info: ABOUT }, { left: 60, top: 60 }, 'events');
  const page = uiPage('page:events', 'Events', '/events', 'bell', order);
  const errors = uiGroup('group:events:errors', 'Errors', page, 12, 1);
  const statuses = uiGroup('group:events:statuses', 'Node status', page, 12, 2);

  const comment = flow.node('about', 'comment', { name: 'Events page: errors and node status from the control flows', info: ABOUT }, { col: 0, row: 0 });
  flow.group('group:about', 'About this page', [comment]);

  const errorsIn = flow.node('link:errors', 'link in', { name: 'errors', links: [] }, { col: 0, row: 2 });
  const recent = fn(flow, 'fn:errors', 'recent errors', RECENT_ERRORS, 2, { col: 0.5, row: 2 }, ['list', 'notification']);
  const errorList = table(
    flow,
    'w:errors',
    {
      group: errors,
      order: 1,
      width: 12,
      label: 'Errors',
      maxrows: 10,
      columns: [
        { key: 'ts', label: 'Time' },
        { key: 'flow', label: 'Flow' },
        { key: 'node', label: 'Node' },
        { key: 'message', label: 'Error' },
      ],
    },
    { col: 1.75, row: 1.5 },
  );
  const toast = notification(flow, 'w:toast', 'error notification', { col: 1.75, row: 2.5 });
  flow.wire(errorsIn, recent);
  flow.wire(recent, errorList, 0);
  flow.wire(recent, toast, 1);

  const statusesIn = flow.node('link:statuses', 'link in', { name: 'statuses', links: [] }, { col: 0, row: 4 });
  const latest = fn(flow, 'fn:statuses', 'node statuses', NODE_STATUSES, 1, { col: 0.5, row: 4 });
  const statusList = table(
    flow,
    'w:statuses',
    {
      group: statuses,
      order: 1,
      width: 12,
      label: 'Status',
      maxrows: 20,
      columns: [
        { key: 'node', label: 'Node' },
        { key: 'type', label: 'Type' },
        { key: 'colour', label: 'Colour' },
        { key: 'status', label: 'Status' },
        { key: 'ts', label: 'Since' },
      ],
    },
    { col: 1.75, row: 4 },
  );
  flow.wire(statusesIn, latest);
  flow.wire(latest, statusList);
  flow.group('group:flow', 'Errors and statuses from the control flows', [errorsIn, recent, errorList, toast, statusesIn, latest, statusList]);
  return { flow, config: [page, errors, statuses], errorsIn, statusesIn };
}
