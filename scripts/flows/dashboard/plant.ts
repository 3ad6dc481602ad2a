// The dashboard's Plant page: gas-limited capacity against generation, gas utilisation, flare rate and CO2e
// avoided against flaring, the bus voltage against its band and each genset's load against its minimum.
import { Flow, note, type FlowNode } from '../kit';
import { BUS_FIGURES, GAS_FIGURES, GENSET_LOAD } from './plant-code';
import { fn, listen, siteTopics } from './listen';
import { chart, gauge, text, uiGroup, uiPage } from './widgets';

export interface DashboardPage {
  flow: Flow;
  config: FlowNode[];
}

const ABOUT = note(
  '## Dashboard: Plant',
  '',
  "Listens to the site's balance and meter readings on MQTT (`flaregrid/<FLAREGRID_SITE>/balance`, `…/meters/+`).",
  '',
  '- Gas utilisation is the gas the gensets burn (their fuel flow) over the gas the site receives, estimated from',
  '  the gas-limited capacity at FLAREGRID_GENSET_HEAT_RATE_BTU_PER_KWH and FLAREGRID_GAS_HEATING_VALUE_BTU_PER_SCF;',
  '  the flare takes the rest.',
  '- CO2e avoided against flaring: each scf the gensets burn instead of the flare, at the factors of docs/domain.md',
  '  (flare destruction 91%, genset 99.9%, methane GWP100 29.8, 53.06 kg CO2/MMBtu), kept across restarts.',
  '- The bus band and the genset minimum come from the global environment (flows/00-site.json).',
);

export function plantPage(file: string, order: number): DashboardPage {
  const flow = new Flow(file, { label: 'Dashboard: Plant', info: ABOUT }, { left: 60, top: 60 }, 'plant');
  const page = uiPage('page:plant', 'Plant', '/plant', 'factory', order);
  const gas = uiGroup('group:plant:gas', 'Gas and generation', page, 12, 1);
  const utilisation = uiGroup('group:plant:utilisation', 'Gas use and emissions', page, 6, 2);
  const bus = uiGroup('group:plant:bus', 'DC bus', page, 6, 3);
  const gensets = uiGroup('group:plant:gensets', 'Genset load', page, 12, 4);

  const comment = flow.node('about', 'comment', { name: 'Plant page: what it shows and where its figures come from', info: ABOUT }, { col: 0, row: 0 });
  flow.group('group:about', 'About this page', [comment]);

  const heard = listen(flow, 'plant', 'balance and meters', siteTopics(['balance', 'meters/+']), { col: 0, row: 4 });
  const gasFn = fn(flow, 'fn:gas', 'gas figures', GAS_FIGURES, 6, { col: 3, row: 4 }, [
    'capacity chart',
    'utilisation %',
    'flare chart',
    'flare text',
    'CO2e avoided',
    'CO2e avoided per day',
  ]);
  const busFn = fn(flow, 'fn:bus', 'bus voltage', BUS_FIGURES, 2, { col: 3, row: 8 }, ['gauge', 'chart']);
  const gensetFn = fn(flow, 'fn:gensets', 'genset load', GENSET_LOAD, 1, { col: 3, row: 10 }, ['chart']);
  for (const target of [gasFn, busFn, gensetFn]) flow.wire(heard.mqttIn, target);

  const col = 4.25;
  const widgets = [
    chart(flow, 'w:capacity', { group: gas, order: 1, width: 12, height: 6, label: 'Gas-limited capacity and generation', yLabel: 'kW', ymin: 0 }, { col, row: 2.5 }),
    gauge(flow, 'w:utilisation', { group: utilisation, order: 1, width: 3, height: 3, title: 'Gas utilisation', units: '%', min: 0, max: 100, segments: [{ from: 0, color: '#d62728' }, { from: 70, color: '#ffb000' }, { from: 90, color: '#2ca02c' }] }, { col, row: 3.5 }),
    chart(flow, 'w:flare', { group: utilisation, order: 5, width: 6, height: 4, label: 'Flare rate', yLabel: 'Mcf/d', ymin: 0, colors: ['#d62728'] }, { col, row: 4.5 }),
    text(flow, 'w:flare-text', { group: utilisation, order: 2, width: 3, height: 1, label: 'Flare rate' }, { col, row: 5.5 }),
    text(flow, 'w:avoided', { group: utilisation, order: 3, width: 3, height: 1, label: 'CO2e avoided against flaring' }, { col, row: 6.5 }),
    text(flow, 'w:avoided-rate', { group: utilisation, order: 4, width: 3, height: 1, label: 'Avoiding now' }, { col, row: 7.5 }),
  ];
  widgets.forEach((w, i) => flow.wire(gasFn, w, i));
  const busGauge = gauge(
    flow,
    'w:bus-gauge',
    {
      group: bus,
      order: 1,
      width: 6,
      height: 3,
      title: 'Bus voltage',
      units: 'V',
      min: 350,
      max: 410,
      segments: [
        { from: 350, color: '#d62728' },
        { from: 361, color: '#ffb000' },
        { from: 370, color: '#2ca02c' },
        { from: 390, color: '#ffb000' },
        { from: 399, color: '#d62728' },
      ],
    },
    { col, row: 8.5 },
  );
  const busChart = chart(flow, 'w:bus-chart', { group: bus, order: 2, width: 6, height: 4, label: 'Bus voltage and its band', yLabel: 'V', ymin: 350, ymax: 410, colors: ['#3a7bd5', '#2ca02c', '#2ca02c', '#d62728', '#d62728'] }, { col, row: 9.5 });
  flow.wire(busFn, busGauge, 0);
  flow.wire(busFn, busChart, 1);
  const loadChart = chart(flow, 'w:genset-load', { group: gensets, order: 1, width: 12, height: 5, label: 'Genset load against its minimum', yLabel: '% of rating', ymin: 0, ymax: 110, colors: ['#d62728', '#ffb000', '#e07b39', '#3a7bd5', '#2ca02c', '#9467bd'] }, { col, row: 10.5 });
  flow.wire(gensetFn, loadChart);

  flow.group('group:flow', 'Balance and gensets → figures → widgets', [...heard.nodes, gasFn, busFn, gensetFn, ...widgets, busGauge, busChart, loadChart]);
  return { flow, config: [page, gas, utilisation, bus, gensets] };
}
