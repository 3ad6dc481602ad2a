// Every shipped flow, by the file it is written to under the package root: the reference flows of flows/ that
// npm start deploys, and the examples of examples/. `npm run flows` writes them; a test checks that the files in
// the tree are what this code makes.
import { type Flow, type FlowNode } from './kit';
import { SITE_FILE, siteSettings } from './site';
import { siteControl } from './site-control';
import { market } from './market';
import { settlement } from './settlement';
import { DASHBOARD_FILE, dashboard } from './dashboard';
import { examples, type Example } from './examples';

export interface ShippedFlow {
  /** path under the package root */
  path: string;
  nodes: FlowNode[];
  /** the tabs of the file (for the layout checks) */
  tabs: Flow[];
}

export function shippedFlows(): ShippedFlow[] {
  const control = siteControl();
  const trading = market();
  const paying = settlement();
  const board = dashboard();
  // Dispatch offers its surplus to the market and hears its best bid.
  control.flow.link(control.offersOut, trading.surplusIn);
  control.flow.link(trading.bestBidOut, control.bestBid);
  // The control flows' operations groups report to the dashboard's Events page, their errors to its Settings page.
  for (const ops of [control.operations, trading.operations, paying.operations]) {
    control.flow.link(ops.errorsOut, board.events.errorsIn);
    control.flow.link(ops.errorsOut, board.settings.errorsIn);
    control.flow.link(ops.statusesOut, board.events.statusesIn);
  }
  // The Settings page changes the running dispatch and shows what it decides; the Payments page lists cut-offs.
  for (const out of board.settings.settingsOut) control.flow.link(out, control.settings);
  control.flow.link(control.summaryOut, board.settings.summaryIn);
  control.flow.link(paying.cutoffsOut, board.payments.cutoffsIn);
  return [
    ...examples().map(exampleFile),
    { path: `flows/${SITE_FILE}`, nodes: siteSettings(), tabs: [] },
    { path: `flows/${control.flow.file}`, nodes: control.flow.nodes(), tabs: [control.flow] },
    { path: `flows/${trading.flow.file}`, nodes: trading.flow.nodes(), tabs: [trading.flow] },
    { path: `flows/${paying.flow.file}`, nodes: paying.flow.nodes(), tabs: [paying.flow] },
    { path: `flows/${DASHBOARD_FILE}`, nodes: board.nodes, tabs: board.pages.map((p) => p.flow) },
  ];
}

/** An example imported onto the user's tab has no tab of its own: its nodes and groups lose their `z`. */
function exampleFile(example: Example): ShippedFlow {
  const nodes = example.flow.nodes();
  if (example.ownTab) return { path: example.path, nodes, tabs: [example.flow] };
  const { tab } = example.flow;
  return {
    path: example.path,
    nodes: nodes.filter((n) => n !== tab).map((n) => Object.fromEntries(Object.entries(n).filter(([key]) => key !== 'z')) as FlowNode),
    tabs: [example.flow],
  };
}
