// FlowFuse Dashboard 2 nodes with every property their editor defines (@flowfuse/node-red-dashboard 1.31), so
// that an imported dashboard shows no field the editor would fill in or mark invalid.
import { Flow, stableId, type FlowNode, type Place } from '../kit';

export const DASHBOARD_FILE = '90-dashboard.json';
const id = (key: string) => stableId(DASHBOARD_FILE, key);

export const UI = { base: id('ui-base'), theme: id('ui-theme') };

export function uiBase(): FlowNode[] {
  return [
    {
      id: UI.base,
      type: 'ui-base',
      name: 'FlareGrid',
      path: '/dashboard',
      appIcon: '',
      includeClientData: true,
      acceptsClientConfig: ['ui-notification', 'ui-control'],
      showPathInSidebar: false,
      headerContent: 'page',
      navigationStyle: 'default',
      titleBarStyle: 'default',
      showReconnectNotification: true,
      notificationDisplayTime: 1,
      showDisconnectNotification: true,
      allowInstall: false,
    },
    {
      id: UI.theme,
      type: 'ui-theme',
      name: 'FlareGrid',
      colors: { surface: '#3b2f2a', primary: '#e9a15b', bgPage: '#f6f3ef', groupBg: '#ffffff', groupOutline: '#e0d6cc' },
      sizes: { density: 'default', pagePadding: '12px', groupGap: '12px', groupBorderRadius: '6px', widgetGap: '12px' },
    },
  ];
}

export function uiPage(key: string, name: string, path: string, icon: string, order: number): FlowNode {
  return {
    id: id(key),
    type: 'ui-page',
    name,
    ui: UI.base,
    path,
    icon,
    layout: 'grid',
    theme: UI.theme,
    breakpoints: [
      { name: 'Default', px: '0', cols: '3' },
      { name: 'Tablet', px: '576', cols: '6' },
      { name: 'Small Desktop', px: '768', cols: '9' },
      { name: 'Desktop', px: '1024', cols: '12' },
    ],
    order,
    className: '',
    visible: 'true',
    disabled: 'false',
  };
}

export function uiGroup(key: string, name: string, page: FlowNode, width: number, order: number): FlowNode {
  return { id: id(key), type: 'ui-group', name, page: page.id, width: String(width), height: '1', order, showTitle: true, className: '', visible: 'true', disabled: 'false', groupType: 'default' };
}

interface Common {
  group: FlowNode;
  order: number;
  width?: number;
  height?: number;
}

export interface ChartOptions extends Common {
  label: string;
  yLabel: string;
  ymin?: number;
  ymax?: number;
  /** minutes of history shown */
  minutes?: number;

  /**
   * A bar chart of categories, drawn anew from each message: its payload is the whole chart, an array of
   * {series, x, y} (x the category, y the bar's height).
   */
  bars?: boolean;
  colors?: string[];
  /** a dot at every point: for series of a few points (trade prices), which a bare line would not show */
  points?: boolean;
}

const SERIES_COLORS = ['#e07b39', '#3a7bd5', '#2ca02c', '#9467bd', '#d62728', '#8c564b', '#17becf', '#7f7f7f', '#bcbd22'];

export function chart(flow: Flow, key: string, o: ChartOptions, at: Place): FlowNode {
  const category = o.bars === true;
  return flow.node(
    key,
    'ui-chart',
    {
      group: o.group.id,
      name: '',
      label: o.label,
      order: o.order,
      chartType: category ? 'bar' : 'line',
      category: category ? 'series' : 'topic',
      categoryType: category ? 'property' : 'msg',
      xAxisLabel: '',
      xAxisProperty: category ? 'x' : '',
      xAxisPropertyType: category ? 'property' : 'timestamp',
      xAxisType: category ? 'category' : 'time',
      xAxisFormat: '',
      xAxisFormatType: 'auto',
      xmin: '',
      xmax: '',
      yAxisLabel: o.yLabel,
      yAxisProperty: category ? 'y' : 'payload',
      yAxisPropertyType: category ? 'property' : 'msg',
      ymin: o.ymin === undefined ? '' : String(o.ymin),
      ymax: o.ymax === undefined ? '' : String(o.ymax),
      bins: 10,
      action: category ? 'replace' : 'append',
      stackSeries: false,
      pointShape: o.points ? 'circle' : 'false',
      pointRadius: 4,
      showLegend: true,
      removeOlder: category ? '1' : String(o.minutes ?? 15),
      removeOlderUnit: category ? '3600' : '60',
      removeOlderPoints: category ? '' : '600',
      colors: o.colors ?? SERIES_COLORS,
      textColor: ['#666666'],
      textColorDefault: true,
      gridColor: ['#e5e5e5'],
      gridColorDefault: true,
      width: String(o.width ?? 6),
      height: String(o.height ?? 6),
      className: '',
      interpolation: 'linear',
    },
    at,
    { label: o.label },
  );
}

export interface GaugeOptions extends Common {
  title: string;
  units: string;
  min: number;
  max: number;
  /** colour bands from their lower edge */
  segments: { from: number; color: string }[];
}

export function gauge(flow: Flow, key: string, o: GaugeOptions, at: Place): FlowNode {
  return flow.node(
    key,
    'ui-gauge',
    {
      name: '',
      group: o.group.id,
      order: o.order,
      value: 'payload',
      valueType: 'msg',
      width: String(o.width ?? 3),
      height: String(o.height ?? 3),
      gtype: 'gauge-half',
      gstyle: 'needle',
      title: o.title,
      alwaysShowTitle: false,
      floatingTitlePosition: 'top-left',
      units: o.units,
      icon: '',
      prefix: '',
      suffix: '',
      segments: o.segments.map((s) => ({ from: String(s.from), color: s.color, text: '', textType: 'label' })),
      min: o.min,
      max: o.max,
      sizeThickness: 16,
      sizeGap: 4,
      sizeKeyThickness: 8,
      styleRounded: true,
      styleGlow: false,
      className: '',
    },
    at,
    { label: o.title },
  );
}

export function text(flow: Flow, key: string, o: Common & { label: string; format?: string }, at: Place): FlowNode {
  return flow.node(
    key,
    'ui-text',
    {
      group: o.group.id,
      order: o.order,
      width: String(o.width ?? 0),
      height: String(o.height ?? 0),
      name: '',
      label: o.label,
      format: o.format ?? '{{msg.payload}}',
      layout: 'row-spread',
      style: false,
      font: '',
      fontSize: 16,
      color: '#717171',
      wrapText: false,
      className: '',
      value: 'payload',
      valueType: 'msg',
    },
    at,
    { label: o.label },
  );
}

export function table(flow: Flow, key: string, o: Common & { label: string; columns: { key: string; label: string }[]; maxrows?: number }, at: Place): FlowNode {
  return flow.node(
    key,
    'ui-table',
    {
      group: o.group.id,
      name: '',
      label: o.label,
      order: o.order,
      width: String(o.width ?? 0),
      height: String(o.height ?? 0),
      maxrows: o.maxrows ?? 0,
      passthru: false,
      autocols: false,
      showSearch: true,
      deselect: true,
      selectionType: 'none',
      columns: o.columns.map((c) => ({ title: c.label, key: c.key, keyType: 'key', type: 'text', width: '', align: 'start' })),
      mobileBreakpoint: 'sm',
      mobileBreakpointType: 'defaults',
      action: 'replace',
      className: '',
    },
    at,
    { label: o.label },
  );
}

export function notification(flow: Flow, key: string, name: string, at: Place): FlowNode {
  return flow.node(
    key,
    'ui-notification',
    {
      ui: UI.base,
      position: 'top right',
      colorDefault: true,
      color: '#000000',
      displayTime: '5',
      showCountdown: true,
      outputs: 1,
      allowDismiss: true,
      dismissText: 'Close',
      allowConfirm: false,
      confirmText: 'Confirm',
      raw: false,
      className: '',
      name,
    },
    at,
    { outputs: 1 },
  );
}

export interface NumberInputOptions extends Common {
  label: string;
  /** says the bounds: the flow behind the input checks them and refuses a value outside with a message */
  tooltip: string;
  topic: string;
  step: number;
}

/**
 * The widget's own range. Dashboard 2's number input does not refuse a value outside its min and max: it sends
 * another (-5 typed below a minimum of 0 goes as null, 200000 above 100000 as 20000) while the field shows what was
 * typed. So its range only bounds typing, and the receiving flow checks the real bounds, where it can say why.
 */
const TYPING_RANGE = 1e9;

export function numberInput(flow: Flow, key: string, o: NumberInputOptions, at: Place): FlowNode {
  return flow.node(
    key,
    'ui-number-input',
    {
      group: o.group.id,
      name: '',
      label: o.label,
      order: o.order,
      width: String(o.width ?? 0),
      height: String(o.height ?? 0),
      topic: o.topic,
      topicType: 'str',
      min: -TYPING_RANGE,
      max: TYPING_RANGE,
      step: o.step,
      tooltip: o.tooltip,
      delay: 300,
      passthru: false,
      sendOnDelay: false,
      sendOnBlur: true,
      sendOnEnter: true,
      className: '',
      clearable: false,
      icon: '',
      iconPosition: 'left',
      iconInnerPosition: 'inside',
      spinner: 'default',
    },
    at,
    { label: o.label },
  );
}

export function toggle(flow: Flow, key: string, o: Common & { label: string; topic: string; tooltip?: string }, at: Place): FlowNode {
  return flow.node(
    key,
    'ui-switch',
    {
      name: '',
      label: o.label,
      group: o.group.id,
      order: o.order,
      width: String(o.width ?? 0),
      height: String(o.height ?? 0),
      passthru: false,
      decouple: 'true',
      topic: o.topic,
      topicType: 'str',
      style: '',
      className: '',
      layout: 'row-spread',
      clickableArea: 'switch',
      onvalue: 'true',
      onvalueType: 'bool',
      onicon: '',
      oncolor: '',
      offvalue: 'false',
      offvalueType: 'bool',
      officon: '',
      offcolor: '',
    },
    at,
    { label: o.label },
  );
}

export function dropdown(flow: Flow, key: string, o: Common & { label: string; topic: string; options: string[] }, at: Place): FlowNode {
  return flow.node(
    key,
    'ui-dropdown',
    {
      group: o.group.id,
      name: '',
      label: o.label,
      tooltip: '',
      order: o.order,
      width: String(o.width ?? 0),
      height: String(o.height ?? 0),
      passthru: false,
      multiple: false,
      chips: false,
      clearable: false,
      options: o.options.map((v) => ({ label: v, value: v, type: 'str' })),
      payload: '',
      topic: o.topic,
      topicType: 'str',
      className: '',
      typeIsComboBox: true,
      msgTrigger: 'onChange',
    },
    at,
    { label: o.label },
  );
}
