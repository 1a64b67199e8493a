/**
 * A small self-contained SVG of bench:peer's result: req/s and p99 per target, side by side,
 * with the throughput the BFF must reach (a multiple of the peer's) marked. Hand-written SVG,
 * no fonts or scripts to load, so GitHub and any viewer render it as is.
 */

export interface ChartBar {
  label: string;
  requestsPerSecond: number;
  p99Ms: number;
  color: string;
}

export interface ChartInput {
  title: string;
  subtitle: string;
  bars: ChartBar[];
  /** A dashed line on the throughput panel, e.g. 4× the peer's req/s. */
  marker: { requestsPerSecond: number; label: string };
}

const WIDTH = 760;
const LABEL_WIDTH = 190;
const PANEL_GAP = 40;
const PANEL_WIDTH = (WIDTH - LABEL_WIDTH - PANEL_GAP - 30) / 2;
const TOP = 70;
const BAR_HEIGHT = 22;
const BAR_STEP = 34;
/** Average advance of a 12 px sans-serif digit, for the labels' backing. */
const CHAR_WIDTH = 7;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const px = (value: number): string => value.toFixed(1);

interface Panel {
  x: number;
  title: string;
  max: number;
  value(bar: ChartBar): number;
  format(value: number): string;
}

/** A panel's title, axis and bars; its value labels come separately so that they paint over a marker. */
function panel(p: Panel, bars: ChartBar[], height: number): { shapes: string[]; labels: string[] } {
  const scale = (value: number): number => (value / p.max) * PANEL_WIDTH;
  const shapes = [
    `<text x="${px(p.x)}" y="${String(TOP - 12)}" class="head">${escapeXml(p.title)}</text>`,
    `<line x1="${px(p.x)}" y1="${String(TOP - 4)}" x2="${px(p.x)}" y2="${px(height - 24)}" class="axis"/>`,
  ];
  const labels: string[] = [];
  bars.forEach((bar, i) => {
    const y = TOP + i * BAR_STEP;
    const width = Math.max(1, scale(p.value(bar)));
    shapes.push(
      `<rect x="${px(p.x)}" y="${String(y)}" width="${px(width)}" height="${String(BAR_HEIGHT)}" fill="${bar.color}"/>`,
    );
    const text = p.format(p.value(bar));
    labels.push(
      // A white backing (its width estimated from the text) keeps the label legible over the marker line.
      `<rect x="${px(p.x + width + 3)}" y="${String(y + 3)}" width="${px(text.length * CHAR_WIDTH + 6)}" ` +
        `height="${String(BAR_HEIGHT - 6)}" fill="#ffffff"/>`,
      `<text x="${px(p.x + width + 6)}" y="${String(y + 16)}">${escapeXml(text)}</text>`,
    );
  });
  return { shapes, labels };
}

export function renderChart(input: ChartInput): string {
  const { bars, marker } = input;
  const height = TOP + bars.length * BAR_STEP + 44;
  const left = LABEL_WIDTH;
  const right = LABEL_WIDTH + PANEL_WIDTH + PANEL_GAP;
  // Room after the longest bar for its value label.
  const maxRps = Math.max(marker.requestsPerSecond, ...bars.map((b) => b.requestsPerSecond)) * 1.25;
  const maxP99 = Math.max(...bars.map((b) => b.p99Ms)) * 1.3;
  const markerX = left + (marker.requestsPerSecond / maxRps) * PANEL_WIDTH;
  const lastBarBottom = TOP + (bars.length - 1) * BAR_STEP + BAR_HEIGHT;
  const throughput = panel(
    {
      x: left,
      title: 'throughput, req/s (higher is better)',
      max: maxRps,
      value: (b) => b.requestsPerSecond,
      format: (v) => Math.round(v).toLocaleString('en-US'),
    },
    bars,
    height,
  );
  const latency = panel(
    {
      x: right,
      title: 'p99 latency, ms (lower is better)',
      max: maxP99,
      value: (b) => b.p99Ms,
      format: (v) => `${String(Math.round(v))} ms`,
    },
    bars,
    height,
  );
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(WIDTH)}" height="${String(height)}" ` +
      `viewBox="0 0 ${String(WIDTH)} ${String(height)}" role="img" aria-label="${escapeXml(input.title)}">`,
    `<title>${escapeXml(input.title)}</title>`,
    '<style>text{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:12px;fill:#24292f}' +
      '.title{font-size:15px;font-weight:600}.sub{fill:#57606a}.head{font-weight:600}' +
      '.axis{stroke:#8c959f;stroke-width:1}.marker{stroke:#cf222e;stroke-width:1.5;stroke-dasharray:5 3}' +
      '.mark{fill:#cf222e;font-size:11px}</style>',
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" class="title">${escapeXml(input.title)}</text>`,
    `<text x="12" y="40" class="sub">${escapeXml(input.subtitle)}</text>`,
    ...bars.map(
      (bar, i) =>
        `<text x="${String(LABEL_WIDTH - 10)}" y="${String(TOP + i * BAR_STEP + 16)}" text-anchor="end">` +
        `${escapeXml(bar.label)}</text>`,
    ),
    ...throughput.shapes,
    `<line x1="${px(markerX)}" y1="${String(TOP - 4)}" x2="${px(markerX)}" y2="${String(lastBarBottom + 6)}" class="marker"/>`,
    `<text x="${px(markerX)}" y="${String(lastBarBottom + 20)}" text-anchor="middle" class="mark">` +
      `${escapeXml(marker.label)}</text>`,
    ...throughput.labels,
    ...latency.shapes,
    ...latency.labels,
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}
