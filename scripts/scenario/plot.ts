// The day as an SVG chart, written by hand (no charting dependency): for FlareGrid and the baseline side by side,
// power (gas-limited capacity, generation, miners, firm load), flare rate and bus voltage, with the day's events
// shaded.
import type { DayFigures, ScenarioOptions, ScenarioResult, SeriesPoint } from './run';

const W = 1400;
const PANEL_W = 620;
const LEFT = [70, 760];
const PANELS = [
  { key: 'power', top: 90, height: 300 },
  { key: 'flare', top: 430, height: 130 },
  { key: 'bus', top: 600, height: 160 },
] as const;
const H = 840;
const COLORS = { gas: '#9e9e9e', generation: '#1f77b4', miners: '#ff7f0e', firm: '#2ca02c', flare: '#d62728', bus: '#6a3d9a' };
const EVENT_FILL: Record<string, string> = { slug: '#fff3c4', dip: '#dbe9ff', 'shut-in': '#e0e0e0', 'stale-data': '#ffd6d6' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function line(points: SeriesPoint[], x: (p: SeriesPoint) => number, y: (p: SeriesPoint) => number, color: string, width = 1.4): string {
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p).toFixed(1)},${y(p).toFixed(1)}`).join('');
  return `<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}"/>`;
}

function panel(series: SeriesPoint[], left: number, hours: number, flareMax: number, events: ScenarioResult['events'], startMs: number): string {
  const x = (p: { tMs: number }) => left + (p.tMs / (hours * 3_600_000)) * PANEL_W;
  const parts: string[] = [];
  for (const { key, top, height } of PANELS) {
    const [lo, hi] = key === 'power' ? [0, 900] : key === 'flare' ? [0, flareMax] : [340, 420];
    const y = (v: number) => top + height - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * height;
    for (const e of events) {
      const from = x({ tMs: Date.parse(e.at) - startMs });
      const width = Math.max(1.5, (e.minutes / 60 / hours) * PANEL_W);
      parts.push(`<rect x="${from.toFixed(1)}" y="${top}" width="${width.toFixed(1)}" height="${height}" fill="${EVENT_FILL[e.kind] ?? '#eee'}"/>`);
    }
    parts.push(`<rect x="${left}" y="${top}" width="${PANEL_W}" height="${height}" fill="none" stroke="#444"/>`);
    const ticks = key === 'power' ? [0, 200, 400, 600, 800] : key === 'flare' ? [0, flareMax / 2, flareMax] : [340, 361, 380, 399, 420];
    for (const t of ticks) {
      parts.push(`<line x1="${left - 4}" x2="${left}" y1="${y(t)}" y2="${y(t)}" stroke="#444"/>`);
      parts.push(`<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${Math.round(t)}</text>`);
    }
    if (key === 'power') {
      parts.push(line(series, x, (p) => y(p.gasCapacityW / 1000), COLORS.gas, 2.2));
      parts.push(line(series, x, (p) => y(p.generationW / 1000), COLORS.generation));
      parts.push(line(series, x, (p) => y(p.minerW / 1000), COLORS.miners));
      parts.push(line(series, x, (p) => y(p.prosumerW / 1000), COLORS.firm));
      parts.push(`<text x="${left + 4}" y="${top - 6}">kW</text>`);
    } else if (key === 'flare') {
      parts.push(line(series, x, (p) => y(p.flareMcfd), COLORS.flare));
      parts.push(`<text x="${left + 4}" y="${top - 6}">flare, Mcf/d</text>`);
    } else {
      for (const v of [361, 399]) parts.push(`<line x1="${left}" x2="${left + PANEL_W}" y1="${y(v)}" y2="${y(v)}" stroke="#d62728" stroke-dasharray="4 3"/>`);
      parts.push(line(series.filter((p) => p.busVoltageV > 0), x, (p) => y(p.busVoltageV), COLORS.bus, 1));
      parts.push(`<text x="${left + 4}" y="${top - 6}">bus voltage, V (excursion band 361–399 V dashed)</text>`);
    }
  }
  for (let h = 0; h <= hours; h += Math.max(1, Math.round(hours / 8))) {
    const xh = x({ tMs: h * 3_600_000 });
    parts.push(`<text x="${xh}" y="${PANELS[2].top + PANELS[2].height + 18}" text-anchor="middle">${String(h).padStart(2, '0')}:00</text>`);
  }
  return parts.join('\n');
}

function headline(name: string, f: DayFigures): string {
  return `${name}: ${f.utilizationPct}% of the gas used, ${f.flaredScf.toLocaleString('en-US')} scf flared, ${f.gensetTrips} trips, ${f.busExcursions} bus excursions, ${f.minerSwitchesPerHour} switches/h`;
}

export function plotDay(options: ScenarioOptions, ours: SeriesPoint[], baseline: SeriesPoint[], result: ScenarioResult): string {
  const startMs = Date.parse(options.startTime);
  const flareMax = Math.max(50, ...ours.map((p) => p.flareMcfd), ...baseline.map((p) => p.flareMcfd));
  const legend = [
    ['gas-limited capacity', COLORS.gas],
    ['generation', COLORS.generation],
    ['miners', COLORS.miners],
    ['firm load (prosumers + aux)', COLORS.firm],
    ['flare', COLORS.flare],
    ['bus voltage', COLORS.bus],
  ]
    .map(([label, color], i) => `<rect x="${70 + i * 215}" y="${H - 34}" width="14" height="4" fill="${color}"/><text x="${90 + i * 215}" y="${H - 28}">${label}</text>`)
    .join('\n');
  const shading = Object.entries(EVENT_FILL)
    .map(([kind, fill], i) => `<rect x="${70 + i * 160}" y="${H - 16}" width="14" height="10" fill="${fill}" stroke="#999"/><text x="${90 + i * 160}" y="${H - 7}">${kind}</text>`)
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${W / 2}" y="24" text-anchor="middle" font-size="16">${esc(`A simulated day of a ${options.meanFlowMcfd} Mcf/d flare site, 2 × 400 kWe, ${options.miners} miners (seed ${options.seed})`)}</text>
<text x="${LEFT[0]}" y="52" font-size="14" font-weight="bold">FlareGrid dispatch</text>
<text x="${LEFT[0]}" y="70">${esc(headline('', result).slice(2))}</text>
<text x="${LEFT[1]}" y="52" font-size="14" font-weight="bold">Naive baseline</text>
<text x="${LEFT[1]}" y="70">${esc(headline('', result.baseline).slice(2))}</text>
${panel(ours, LEFT[0], options.hours, flareMax, result.events, startMs)}
${panel(baseline, LEFT[1], options.hours, flareMax, result.events, startMs)}
${legend}
${shading}
</svg>
`;
}
