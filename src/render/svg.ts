/**
 * Figures → SVG via Vega-Lite and Vega.
 *
 * `figureToVegaLite` compiles a library-independent `FigureSpec` into a Vega-Lite spec; `renderFigureSvg` runs it
 * headless (`new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG()`). Nothing is fetched: the data are
 * inline, the view's loader refuses every request, and text uses the reports' one font (`REPORT_FONT`, Noto Sans,
 * then the generic sans-serif). Without node-canvas Vega estimates text widths (0.8 em a character, wider than
 * Noto Sans' real glyphs), so the layout does not depend on installed fonts and labels never run past the room
 * it leaves them; `png.ts` rasterises this SVG with the font itself.
 *
 * Axis ticks of decimal values drop trailing zeros (d3's `~f`), so a whole number prints as one ("20", not
 * "20.00"), and integer axes print integers.
 *
 * Labels are data, never expressions: user text is passed as data values and Vega escapes it in the SVG. Value
 * labels are pre-formatted by `display.ts`, so bars show exactly the numbers the tables show (not d3-format's
 * rounding). Sorting is done here too (stable), and the Vega-Lite axis keeps data order.
 */

import { type Loader, parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { figureRows, formatValue } from '../core/report/display.js';
import { formatCountPercent } from '../core/report/format.js';
import { type FigureSpec, type Format, type Report, reportBlocks } from '../core/report/spec.js';
import { at } from '../core/stats/at.js';
import { escapeXml, oneLine, REPORT_FONT, wrap } from './common.js';

/**
 * Print size. A figure is drawn at most `FIGURE_MAX_WIDTH` CSS pixels wide — 6.25 in at 96 px/in, the text width
 * the Word report places it in (png.ts `MAX_FIGURE_INCHES`) — so it is placed at its own size, never scaled down,
 * and text of `FIGURE_FONT_PX` prints at 11 px × 0.75 pt/px = 8.25 pt (journals ask for at least 8 pt). Every text
 * of a chart (title, axis labels, ticks, legend, value labels) is at least that size, in the report's font.
 *
 * The width budget uses Vega's own estimate of text width without a canvas, 0.8 em a character (wider than Noto
 * Sans' glyphs): category labels wrap at `LABEL_CHARS` characters and get exactly the room their longest line can
 * take (so Vega never cuts one with "…"), the plot is `PLOT_WIDTH`, and a value label (at most "100.0%") fits to its
 * right; test/render/svg.test.ts measures the width of the widest case.
 */
const FIGURE_FONT_PX = 11;
export const FIGURE_MAX_WIDTH = 600;
/** Characters per line of a category label before it wraps (axis labels can hold several lines). */
const LABEL_CHARS = 28;
const LINE_HEIGHT = 13;
const TITLE_CHARS = 58;
const AXIS_TITLE_CHARS = 40;
const PLOT_WIDTH = 270;
/** Vega's text-width estimate for a line of `chars` characters at the figure font. */
const estimate = (chars: number, px = FIGURE_FONT_PX) => Math.ceil(chars * 0.8 * px);
/** The value label at a bar's end. */
const VALUE_LABEL = {
  type: 'text',
  align: 'left',
  baseline: 'middle',
  dx: 4,
  fontSize: FIGURE_FONT_PX,
  color: '#111',
} as const;
/** A title as lines (Vega draws an array as one line each), so no title is wider than the figure. */
const lines = (s: string, chars: number): string[] => wrap(oneLine(s), chars);

function axisFormat(f: Format): string | undefined {
  switch (f.kind) {
    case 'percent':
      return '.0%';
    case 'integer':
      return 'd';
    case 'decimal':
      return `.${Math.min(f.digits, 2)}~f`;
    default:
      return undefined;
  }
}

/** What every chart shares: title, description, size, font, and the category axis (wrapped labels, data order). */
function chartFrame(fig: FigureSpec, maxLines: number, values: readonly Record<string, unknown>[]) {
  return {
    title: {
      text: lines(fig.title, TITLE_CHARS),
      anchor: 'start',
      fontSize: FIGURE_FONT_PX + 1,
      lineHeight: 15,
    },
    description: oneLine(`${fig.title}. ${fig.caption}`),
    width: PLOT_WIDTH,
    height: { step: maxLines * LINE_HEIGHT + 8 },
    background: 'white',
    config: {
      font: `${REPORT_FONT}, sans-serif`,
      view: { stroke: null },
      axis: { labelFontSize: FIGURE_FONT_PX, titleFontSize: FIGURE_FONT_PX, titleLineHeight: LINE_HEIGHT },
      legend: { labelFontSize: FIGURE_FONT_PX, titleFontSize: FIGURE_FONT_PX, symbolSize: 80 },
      text: { fontSize: FIGURE_FONT_PX },
    },
    data: { values },
    y: {
      field: 'axisLabel',
      type: 'nominal',
      sort: null,
      title: fig.y.title ? oneLine(fig.y.title) : null,
      axis: {
        labelExpr: "split(datum.value, '\\n')",
        labelLimit: estimate(LABEL_CHARS) + 2,
        labelLineHeight: LINE_HEIGHT,
        // Vega puts a label's first line at the band's middle; lift a k-line label by (k − 1) half lines so the
        // whole label is centred on its band (a band holds the most lines of any label), never running into the next
        labelOffset: { expr: `-${LINE_HEIGHT / 2} * (length(split(datum.value, '\\n')) - 1)` },
        ticks: false,
      },
    },
  } as const;
}

/**
 * Where each level's segment of a diverging bar lies: levels laid end to end in order, shifted so that the
 * middle of the scale is at 0 (the middle level of an odd scale straddles 0; an even scale splits between the
 * two middle levels).
 */
function divergingSegments(shares: readonly number[]): { x0: number; x1: number }[] {
  const k = shares.length;
  const half = Math.floor(k / 2);
  let start = -shares.slice(0, half).reduce((a, b) => a + b, 0);
  if (k % 2 === 1) start -= at(shares, half) / 2;
  return shares.map((s) => {
    const seg = { x0: start, x1: start + s };
    start += s;
    return seg;
  });
}

/**
 * The Vega-Lite spec of a diverging stacked bar chart (Likert items): one bar per category split into its
 * levels, lower levels left of 0 and higher right; the value label (the agreeing share) at the bar's right end.
 */
function divergingToVegaLite(fig: FigureSpec): TopLevelSpec {
  const levels = fig.levels ?? [];
  const rows = figureRows(fig);
  const values: Record<string, unknown>[] = [];
  let maxLines = 1;
  rows.forEach((d, i) => {
    const lines = wrap(oneLine(d.category), LABEL_CHARS);
    maxLines = Math.max(maxLines, lines.length);
    const axisLabel = lines.join('\n');
    const segs = divergingSegments(d.segments ?? []);
    segs.forEach((seg, j) => {
      const share = d.segments?.[j] ?? 0;
      values.push({
        kind: 'segment',
        axisLabel,
        order: i,
        level: levels[j],
        levelIndex: j,
        x0: seg.x0,
        x1: seg.x1,
        description: `${oneLine(d.category)}, ${levels[j]}: ${formatValue(share, fig.x.format)}`,
      });
    });
    values.push({
      kind: 'label',
      axisLabel,
      order: i,
      x0: segs.length ? at(segs, segs.length - 1).x1 : 0,
      valueLabel: fig.valueLabels ? d.label : '',
    });
  });
  const { y, ...frame } = chartFrame(fig, maxLines, values);
  return {
    ...frame,
    encoding: { y },
    layer: [
      {
        transform: [{ filter: "datum.kind === 'segment'" }],
        mark: { type: 'bar' },
        encoding: {
          x: {
            field: 'x0',
            type: 'quantitative',
            title: lines(
              'Percentage of respondents (lower options left of 0, higher right)',
              AXIS_TITLE_CHARS,
            ),
            scale: { domain: [-1, 1] },
            axis: {
              grid: true,
              values: [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1],
              labelExpr: "format(abs(datum.value), '.0%')",
            },
          },
          x2: { field: 'x1' },
          color: {
            field: 'level',
            type: 'ordinal',
            sort: levels,
            scale: { domain: levels, scheme: 'redblue' },
            // one column under the plot: as wide as the plot and the value labels, so labels are not cut
            legend: { orient: 'bottom', title: null, columns: 1, labelLimit: PLOT_WIDTH },
          },
          description: { field: 'description', type: 'nominal' },
        },
      },
      {
        transform: [{ filter: "datum.kind === 'label'" }],
        mark: VALUE_LABEL,
        encoding: {
          x: { field: 'x0', type: 'quantitative' },
          text: { field: 'valueLabel', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** The Vega-Lite spec of a figure (horizontal bars, categories on y in display order, value labels as text). */
export function figureToVegaLite(fig: FigureSpec): TopLevelSpec {
  if (fig.kind === 'diverging') return divergingToVegaLite(fig);
  const rows = figureRows(fig);
  const values = rows.map((d, i) => {
    const lines = wrap(oneLine(d.category), LABEL_CHARS);
    return {
      // one line per array element; axis labelExpr splits on \n
      axisLabel: lines.join('\n'),
      order: i,
      value: d.value,
      valueLabel: fig.valueLabels ? d.label : '',
      description: `${oneLine(d.category)}: ${d.count !== undefined && d.total !== undefined && fig.x.format.kind === 'percent' ? formatCountPercent(d.count, d.total, fig.x.format.digits) : d.label}`,
      lines: lines.length,
    };
  });
  const maxLines = Math.max(1, ...values.map((v) => v.lines));
  const format = axisFormat(fig.x.format);
  const xScale = fig.x.domain ? { domain: [fig.x.domain[0], fig.x.domain[1]] } : { zero: true };
  const { y, ...frame } = chartFrame(fig, maxLines, values);
  return {
    ...frame,
    encoding: {
      y,
      x: {
        field: 'value',
        type: 'quantitative',
        title: lines(fig.x.title, AXIS_TITLE_CHARS),
        scale: xScale,
        axis: format ? { format, grid: true } : { grid: true },
      },
      description: { field: 'description', type: 'nominal' },
    },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' } },
      {
        mark: VALUE_LABEL,
        encoding: { text: { field: 'valueLabel', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}

/** A loader that refuses every request: figures never touch the network or the file system. */
const noNetwork: Loader = {
  load: (uri) => Promise.reject(new Error(`nabz figures load nothing (refused "${uri}")`)),
  sanitize: (uri) => Promise.reject(new Error(`nabz figures load nothing (refused "${uri}")`)),
  http: (uri) => Promise.reject(new Error(`nabz figures load nothing (refused "${uri}")`)),
  file: (name) => Promise.reject(new Error(`nabz figures load nothing (refused "${name}")`)),
};

/**
 * A figure as a standalone SVG document (string). The root carries `role="img"`, an `aria-label` and a
 * `<title>` with the figure title, for screen readers and for the HTML report.
 */
export async function renderFigureSvg(fig: FigureSpec): Promise<string> {
  const vg = compile(figureToVegaLite(fig)).spec;
  const view = new View(parse(vg), { renderer: 'none', loader: noNetwork, logLevel: 0 });
  try {
    const svg = await view.toSVG();
    const title = escapeXml(oneLine(fig.title));
    return svg.replace(
      /^<svg\b([^>]*)>/,
      (_m, attrs: string) => `<svg${attrs} role="img" aria-label="${title}"><title>${title}</title>`,
    );
  } finally {
    view.finalize();
  }
}

/** Every figure of a report as SVG: file name (`<figure id>.svg`) → content, in report order. */
export async function renderFiguresSvg(report: Report): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const { block } of reportBlocks(report)) {
    if (block.type === 'figure') out.set(`${block.id}.svg`, await renderFigureSvg(block));
  }
  return out;
}
