// The dashboard's Miners page: target against actual per group (container), the miners against the surplus they
// may take, and per miner its state, power, hashrate and sats earned.
import { Flow, note } from '../kit';
import { FLEET_FIGURES } from './miners-code';
import { fn, listen, siteTopics } from './listen';
import type { DashboardPage } from './plant';
import { chart, table, text, uiGroup, uiPage } from './widgets';

const ABOUT = note(
  '## Dashboard: Miners',
  '',
  "Listens to every miner's telemetry (`flaregrid/<FLAREGRID_SITE>/miners/+/telemetry`) and the site balance, and",
  'every 5 s draws the fleet: target and actual power of each group of FLAREGRID_MINER_GROUPS, what the miners may',
  'take (their draw plus the surplus) against what they draw, and a table of every miner. Sats earned are each',
  "miner's hashrate over time at FLAREGRID_HASHPRICE_SAT_PER_TH_DAY, counted from when the dashboard first heard it.",
);

export function minersPage(file: string, order: number): DashboardPage {
  const flow = new Flow(file, { label: 'Dashboard: Miners', info: ABOUT }, { left: 60, top: 60 }, 'miners');
  const page = uiPage('page:miners', 'Miners', '/miners', 'pickaxe', order);
  const groups = uiGroup('group:miners:groups', 'Target and actual per group', page, 6, 1);
  const surplus = uiGroup('group:miners:surplus', 'Miners and the surplus', page, 6, 2);
  const summary = uiGroup('group:miners:summary', 'Fleet', page, 12, 3);
  const list = uiGroup('group:miners:list', 'Every miner', page, 12, 4);

  const comment = flow.node('about', 'comment', { name: 'Miners page: what it shows and where its figures come from', info: ABOUT }, { col: 0, row: 0 });
  flow.group('group:about', 'About this page', [comment]);

  const heard = listen(flow, 'fleet', 'telemetry and balance', siteTopics(['miners/+/telemetry', 'balance']), { col: 0, row: 4 });
  const tick = flow.node(
    'tick',
    'inject',
    { name: 'every 5 s', props: [{ p: 'topic', vt: 'str' }], repeat: '5', crontab: '', once: true, onceDelay: 2, topic: 'tick' },
    { col: 1.5, row: 5 },
  );
  const figures = fn(flow, 'fn:fleet', 'fleet figures', FLEET_FIGURES, 6, { col: 3, row: 4.5 }, ['groups chart', 'surplus chart', 'table', 'hashrate', 'states', 'sats']);
  flow.wire(heard.mqttIn, figures);
  flow.wire(tick, figures);

  const col = 4.25;
  const widgets = [
    chart(flow, 'w:groups', { group: groups, order: 1, width: 6, height: 6, label: 'Target and actual per group', yLabel: 'kW', ymin: 0, bars: true, colors: ['#3a7bd5', '#e07b39'] }, { col, row: 2.5 }),
    chart(flow, 'w:surplus', { group: surplus, order: 1, width: 6, height: 6, label: 'What the miners may take and draw', yLabel: 'kW', ymin: 0, colors: ['#2ca02c', '#e07b39', '#3a7bd5'] }, { col, row: 3.5 }),
    table(
      flow,
      'w:table',
      {
        group: list,
        order: 1,
        width: 12,
        label: 'Miners',
        maxrows: 15,
        columns: [
          { key: 'miner', label: 'Miner' },
          { key: 'group', label: 'Group' },
          { key: 'state', label: 'State' },
          { key: 'power', label: 'Power' },
          { key: 'target', label: 'Target' },
          { key: 'hashrate', label: 'Hashrate' },
          { key: 'temperature', label: 'Temperature' },
          { key: 'sats', label: 'Sats earned' },
        ],
      },
      { col, row: 4.5 },
    ),
    text(flow, 'w:hashrate', { group: summary, order: 1, width: 4, height: 1, label: 'Hashrate' }, { col, row: 5.5 }),
    text(flow, 'w:states', { group: summary, order: 2, width: 4, height: 1, label: 'Miners' }, { col, row: 6.5 }),
    text(flow, 'w:sats', { group: summary, order: 3, width: 4, height: 1, label: 'Sats earned' }, { col, row: 7.5 }),
  ];
  widgets.forEach((w, i) => flow.wire(figures, w, i));
  flow.group('group:flow', 'Telemetry and balance → fleet figures → widgets', [...heard.nodes, tick, figures, ...widgets]);
  return { flow, config: [page, groups, surplus, summary, list] };
}
