// A small SVG line chart for the benchmark report, written by hand so the report needs no
// plotting dependency: one or more panels side by side, each with its own y axis, sharing
// the x values (the concurrency levels, spaced evenly since they grow geometrically), and
// one line per series with a marker at each point and a shared legend underneath.

export interface ChartSeries {
  name: string;
  color: string;
  dashed?: boolean;
  /** y per x value of the chart; a missing point leaves a gap. */
  points: ReadonlyMap<number, number>;
}

export interface ChartPanel {
  title: string;
  yLabel: string;
  series: readonly ChartSeries[];
}

export interface Chart {
  title: string;
  xLabel: string;
  xValues: readonly number[];
  panels: readonly ChartPanel[];
}

const PANEL_WIDTH = 420;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 64, right: 20, top: 56, bottom: 48 };
const LEGEND_ROW_HEIGHT = 18;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export function renderChart(chart: Chart): string {
  const legend = uniqueSeries(chart.panels);
  const legendRows = Math.ceil(legend.length / 2);
  const width = chart.panels.length * (PANEL_WIDTH + MARGIN.left + MARGIN.right);
  const height = MARGIN.top + PANEL_HEIGHT + MARGIN.bottom + legendRows * LEGEND_ROW_HEIGHT + 12;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" ${FONT} font-size="16" font-weight="bold" text-anchor="middle">${escape(chart.title)}</text>`,
  ];
  chart.panels.forEach((panel, index) => {
    parts.push(renderPanel(chart, panel, index * (PANEL_WIDTH + MARGIN.left + MARGIN.right) + MARGIN.left));
  });
  const legendTop = MARGIN.top + PANEL_HEIGHT + MARGIN.bottom;
  legend.forEach((series, index) => {
    const x = MARGIN.left + (index % 2) * 260;
    const y = legendTop + Math.floor(index / 2) * LEGEND_ROW_HEIGHT;
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${series.color}" stroke-width="2.5"${series.dashed === true ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${x + 36}" y="${y + 4}" ${FONT} font-size="12">${escape(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function renderPanel(chart: Chart, panel: ChartPanel, left: number): string {
  const top = MARGIN.top;
  const values = panel.series.flatMap((series) => [...series.points.values()]).filter(Number.isFinite);
  const yMax = niceCeiling(values.length === 0 ? 1 : Math.max(...values));
  const xAt = (index: number): number =>
    left + (chart.xValues.length === 1 ? PANEL_WIDTH / 2 : (index * PANEL_WIDTH) / (chart.xValues.length - 1));
  const yAt = (value: number): number => top + PANEL_HEIGHT - (value / yMax) * PANEL_HEIGHT;
  const parts: string[] = [
    `<text x="${left + PANEL_WIDTH / 2}" y="${top - 12}" ${FONT} font-size="13" text-anchor="middle">${escape(panel.title)}</text>`,
    `<rect x="${left}" y="${top}" width="${PANEL_WIDTH}" height="${PANEL_HEIGHT}" fill="none" stroke="#999999"/>`,
  ];
  const ticks = 5;
  for (let tick = 0; tick <= ticks; tick++) {
    const value = (yMax * tick) / ticks;
    const y = yAt(value);
    parts.push(
      `<line x1="${left}" y1="${y}" x2="${left + PANEL_WIDTH}" y2="${y}" stroke="#e4e4e4"/>`,
      `<text x="${left - 6}" y="${y + 4}" ${FONT} font-size="11" text-anchor="end">${formatTick(value)}</text>`,
    );
  }
  chart.xValues.forEach((x, index) => {
    parts.push(`<text x="${xAt(index)}" y="${top + PANEL_HEIGHT + 16}" ${FONT} font-size="11" text-anchor="middle">${x}</text>`);
  });
  parts.push(
    `<text x="${left + PANEL_WIDTH / 2}" y="${top + PANEL_HEIGHT + 34}" ${FONT} font-size="12" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(${left - 48} ${top + PANEL_HEIGHT / 2}) rotate(-90)" ${FONT} font-size="12" text-anchor="middle">${escape(panel.yLabel)}</text>`,
  );
  for (const series of panel.series) {
    const points = chart.xValues
      .map((x, index) => ({ index, y: series.points.get(x) }))
      .filter((point): point is { index: number; y: number } => point.y !== undefined && Number.isFinite(point.y));
    if (points.length === 0) continue;
    const dash = series.dashed === true ? ' stroke-dasharray="6 4"' : '';
    const path = points.map((point, i) => `${i === 0 ? 'M' : 'L'}${xAt(point.index).toFixed(1)},${yAt(point.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2.5"${dash}/>`);
    for (const point of points) {
      parts.push(`<circle cx="${xAt(point.index).toFixed(1)}" cy="${yAt(point.y).toFixed(1)}" r="3.5" fill="${series.color}"><title>${escape(series.name)}: ${formatTick(point.y)}</title></circle>`);
    }
  }
  return parts.join('\n');
}

/** Each series once, by name, in the order first met. */
function uniqueSeries(panels: readonly ChartPanel[]): ChartSeries[] {
  const seen = new Map<string, ChartSeries>();
  for (const panel of panels) for (const series of panel.series) if (!seen.has(series.name)) seen.set(series.name, series);
  return [...seen.values()];
}

/** Axis tops: round multiples of a power of ten, close enough that a chart fills its panel. */
const NICE_STEPS = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest nice step times a power of ten at or above `value`. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of NICE_STEPS) if (step * power >= value * (1 - 1e-12)) return Number((step * power).toPrecision(12));
  return 10 * power;
}

function formatTick(value: number): string {
  if (value >= 1_000_000) return `${Number((value / 1_000_000).toFixed(1))}M`;
  if (value >= 10_000) return `${Number((value / 1000).toFixed(1))}k`;
  if (value >= 100) return String(Math.round(value));
  return String(Number(value.toFixed(2)));
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
