// The dashboard's Settings page: every dispatch threshold a plant engineer adjusts, by section, with its unit
// and its bounds (lib/control/dispatch's parameter table, the one dispatch checks them against), and the
// operator's asking price on the market. A change goes to the running dispatch (its msg overrides) or the
// offer's price (global context) at once, without a redeploy; a value dispatch refuses comes back as a notice.
import { NUMERIC_PARAMS, type NumericParamSpec } from '../../../lib/control/dispatch';
import dispatchLocale from '../../../nodes/flaregrid-dispatch/locales/en-US/flaregrid-dispatch.json';
import { Flow, note, type FlowNode } from '../kit';
import { DISPATCH_OVERRIDES } from '../control-code';
import { OPERATOR_ASK_KEY } from '../market';
import { fn } from './listen';
import type { DashboardPage } from './plant';
import { SETTINGS_SECTIONS, askCode, dispatchNowCode, lastRefusalCode, sectionStartCode } from './settings-code';
import { dropdown, notification, numberInput, text, toggle, uiGroup, uiPage } from './widgets';

const LABELS: { label: Record<string, string>; section: Record<string, string> } = dispatchLocale['flaregrid-dispatch'];

const ABOUT = note(
  '## Dashboard: Settings',
  '',
  "Every dispatch threshold, in the units and within the bounds of dispatch's own parameter table; a change is sent",
  "to the running dispatch node (link *dispatch settings* of the Site control flow) as `topic` = the parameter,",
  '`payload` = its value, and takes effect at its next decision. Dispatch checks every value against the same bounds',
  '(and against each other: bus min below bus max, …); one it refuses changes nothing, and its reason shows here and',
  'as a notice. The market group sets the operator\'s asking price (global context `' + OPERATOR_ASK_KEY + '`), which',
  "its next offer uses. At start the inputs show dispatch's starting values and the ask in force.",
);

export interface SettingsPage extends DashboardPage {
  /** to the site control flow's dispatch */
  settingsOut: FlowNode[];
  summaryIn: FlowNode;
  errorsIn: FlowNode;
}

const round = (n: number) => Number(n.toPrecision(6));

function step(spec: NumericParamSpec): number {
  if (spec.integer) return 1;
  return spec.unit === 'kW' || spec.unit === 'kW/s' ? 0.5 : spec.unit === 's' ? 1 : 0.1;
}

export function settingsPage(file: string, order: number): SettingsPage {
  const flow = new Flow(file, { label: 'Dashboard: Settings', info: ABOUT }, { left: 60, top: 60 }, 'settings');
  const page = uiPage('page:settings', 'Settings', '/settings', 'tune', order);
  const config: FlowNode[] = [page];
  const comment = flow.node('about', 'comment', { name: 'Settings page: dispatch thresholds and the market ask, applied at run time', info: ABOUT }, { col: 0, row: 0 });
  flow.group('group:about', 'About this page', [comment]);

  const start = flow.node('start', 'inject', { name: 'on start', props: [], repeat: '', crontab: '', once: true, onceDelay: 0.5, topic: '' }, { col: 0, row: 2 });
  const members: FlowNode[] = [start];
  const settingsOut: FlowNode[] = [];
  let row = 2;
  SETTINGS_SECTIONS.forEach((section, s) => {
    const group = uiGroup(`group:settings:${section.key}`, LABELS.section[section.key], page, 4, s + 1);
    config.push(group);
    const specs = section.params.map((key) => NUMERIC_PARAMS.find((p) => p.key === key)!);
    const inputs: FlowNode[] = specs.map((spec, i) =>
      numberInput(
        flow,
        `w:${spec.key}`,
        {
          group,
          order: i + 1,
          width: 4,
          label: LABELS.label[spec.key],
          tooltip: `${spec.meaning}; ${spec.exclusiveMin ? 'above' : 'from'} ${spec.min} to ${spec.max}${spec.unit ? ` ${spec.unit}` : ''}`,
          topic: spec.key,
          step: step(spec),
        },
        { col: 1.75, row: row + i },
      ),
    );
    if (section.key === 'economics') {
      inputs.push(toggle(flow, 'w:economicMode', { group, order: inputs.length + 1, width: 4, label: LABELS.label.economicMode, topic: 'economicMode' }, { col: 1.75, row: row + inputs.length }));
    }
    if (section.key === 'fleet') {
      inputs.push(
        dropdown(flow, 'w:priorityMode', { group, order: inputs.length + 1, width: 4, label: LABELS.label.priorityMode, topic: 'priorityMode', options: ['efficiency', 'fixed'] }, { col: 1.75, row: row + inputs.length }),
        dropdown(flow, 'w:timerMode', { group, order: inputs.length + 2, width: 4, label: LABELS.label.timerMode, topic: 'timerMode', options: ['decay', 'reset'] }, { col: 1.75, row: row + inputs.length + 1 }),
      );
    }
    const starting = fn(flow, `fn:start:${section.key}`, `${section.key} at start`, sectionStartCode(specs.map((p) => ({ key: p.key, value: round(DISPATCH_OVERRIDES[p.key] ?? p.default) })), section.key), inputs.length, { col: 0.75, row: row + (inputs.length - 1) / 2 });
    flow.wire(start, starting);
    inputs.forEach((input, i) => flow.wire(starting, input, i));
    const out = flow.node(`link:out:${section.key}`, 'link out', { name: `${section.key} to dispatch`, mode: 'link', links: [] }, { col: 3, row: row + (inputs.length - 1) / 2 });
    for (const input of inputs) flow.wire(input, out);
    settingsOut.push(out);
    members.push(starting, ...inputs, out);
    row += inputs.length + 1;
  });
  flow.group('group:dispatch', "Dispatch thresholds → the running dispatch", members);

  const market = uiGroup('group:settings:market', 'Market', page, 4, SETTINGS_SECTIONS.length + 1);
  const now = uiGroup('group:settings:now', 'Dispatch now', page, 8, SETTINGS_SECTIONS.length + 2);
  config.push(market, now);
  const askAtStart = flow.node('ask:start', 'inject', { name: 'on start', props: [], repeat: '', crontab: '', once: true, onceDelay: 2, topic: '' }, { col: 3.75, row: 2 });
  const ask = numberInput(flow, 'w:ask', { group: market, order: 1, width: 4, label: "Operator's ask (sat/kWh)", tooltip: 'the price of the operator\'s firm supply, within the market\'s floor and cap', topic: 'ask', step: 1 }, { col: 4.75, row: 2.5 });
  const setAsk = fn(flow, 'fn:ask', 'set the ask', askCode(OPERATOR_ASK_KEY), 2, { col: 6, row: 2.5 }, ['the ask now', 'notice']);
  const askNotice = notification(flow, 'w:ask-notice', 'ask notice', { col: 7, row: 3 });
  flow.wire(askAtStart, setAsk);
  flow.wire(ask, setAsk);
  flow.wire(setAsk, askNotice, 1);
  const askNow = text(flow, 'w:ask-now', { group: market, order: 2, width: 4, label: 'Ask in force' }, { col: 7, row: 2 });
  flow.wire(setAsk, askNow, 0);

  const summaryIn = flow.node('link:summary', 'link in', { name: 'dispatch summary', links: [] }, { col: 3.75, row: 5 });
  const figures = fn(flow, 'fn:now', 'dispatch now', dispatchNowCode(), 5, { col: 4.5, row: 5.5 }, ['mode', 'budget', 'reserve held', 'targets', 'reason']);
  flow.wire(summaryIn, figures);
  const nowTexts = ['Mode', 'Budget for the miners', 'Reserve held free', 'Targets', 'Why'].map((label, i) =>
    text(flow, `w:now:${i}`, { group: now, order: i + 1, width: i === 4 ? 8 : 4, label }, { col: 5.75, row: 4 + i * (2 / 3) }),
  );
  nowTexts.forEach((t, i) => flow.wire(figures, t, i));
  const errorsIn = flow.node('link:errors', 'link in', { name: 'errors', links: [] }, { col: 3.75, row: 8 });
  const refusal = fn(flow, 'fn:refusal', "dispatch's refusals", lastRefusalCode(), 1, { col: 4.5, row: 8 });
  const refused = text(flow, 'w:refused', { group: now, order: 6, width: 8, label: 'Last value refused' }, { col: 5.75, row: 8 });
  flow.wire(errorsIn, refusal);
  flow.wire(refusal, refused);
  flow.group('group:now', 'The ask, and what dispatch does now', [askAtStart, ask, setAsk, askNotice, askNow, summaryIn, figures, ...nowTexts, errorsIn, refusal, refused]);
  return { flow, config, settingsOut, summaryIn, errorsIn };
}
