/**
 * Report specs: plain data describing a report's tables, figures and sentences — no rendering.
 *
 * A `Report` is what analysis produces and what every renderer (terminal, Markdown, CSV, JSON, HTML, SVG) reads.
 * Cells carry the raw number and its format, so all renderers print the same text (see `display.ts` and
 * `format.ts`). The Zod schemas below are the single source of the shape: types are `z.infer`, and the JSON
 * Schema of the report JSON is generated from `ReportSchema` (`reportJsonSchema()`), documented in
 * docs/report-schema.md. Naming follows the instrument schema: `FooSchema` is the schema, `Foo` its type.
 *
 * Versioning: `schemaVersion` changes when a report JSON written by an older nabz would no longer parse or would
 * mean something else. Adding an optional field does not change it.
 */
import { z } from 'zod';
import { type Issue, LanguageSchema, toIssues, type Validated } from '../instrument/schema.js';

/** Current version of the report JSON format. */
export const REPORT_SCHEMA_VERSION = 1;

/**
 * Metadata (ids, descriptions) for the generated JSON Schema, kept in a registry of this module rather than
 * Zod's global one, so ids cannot clash with other modules' schemas.
 */
const reportMeta = z.registry<{ id?: string; title?: string; description?: string }>();

/** Attach a JSON Schema description (and optionally an id, which makes it a named `$defs` entry). */
function doc<T extends z.ZodType>(schema: T, description: string, id?: string): T {
  reportMeta.add(schema, id === undefined ? { description } : { id, description });
  return schema;
}

/**
 * Ids of sections, tables and figures: safe as file names (CSV and SVG exports use `<id>.csv`, `<id>.svg`).
 * Section ids are unique among sections; table and figure ids are unique among tables and figures.
 */
const ReportIdSchema = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
    'must start with a letter and use only letters, digits, _ and - (max 64)',
  );

/** Column keys: used as keys of a row's `cells`. */
const ColumnKeySchema = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]{0,63}$/,
    'must start with a letter and use only letters, digits and _ (max 64)',
  );

const digits = () => z.number().int().min(0).max(12);
const finite = () => z.number();

/**
 * How a number is printed (see format.ts):
 * - text: the number as plain decimal text (shortest form);
 * - integer: a count, "217";
 * - decimal: `digits` decimals, half away from zero; `leadingZero: false` prints ".87" (for r, α);
 * - percent: the value is a proportion 0–1, printed ×100 with `digits` decimals and "%";
 * - pValue: "< .001" / ".022", never crossing `alpha` by rounding (default .05);
 * - df: integers as integers, fractional df with 2 decimals.
 */
const FormatSchema = doc(
  z.discriminatedUnion('kind', [
    doc(z.strictObject({ kind: z.literal('text') }), 'The number as plain decimal text, shortest form.'),
    doc(z.strictObject({ kind: z.literal('integer') }), 'A count: "217".'),
    doc(
      z.strictObject({
        kind: z.literal('decimal'),
        digits: digits(),
        leadingZero: doc(
          z.boolean().optional(),
          'false prints ".87" (for quantities bounded by 1: r, alpha). Default true.',
        ),
      }),
      '`digits` decimals, rounded half away from zero: "1.09".',
    ),
    doc(
      z.strictObject({ kind: z.literal('percent'), digits: digits() }),
      'The value is a proportion 0-1, printed as a percentage: "44.7%".',
    ),
    doc(
      z.strictObject({
        kind: z.literal('pValue'),
        alpha: doc(
          z.number().gt(0).lt(1).optional(),
          'Significance level the printed value must not cross by rounding. Default 0.05.',
        ),
      }),
      'APA p-value: "< .001", ".022".',
    ),
    doc(
      z.strictObject({ kind: z.literal('df') }),
      'Degrees of freedom: integers as "215", fractional (Welch) as "101.45".',
    ),
  ]),
  'How a number is printed; every renderer prints the same text.',
  'ReportFormat',
);
export type Format = z.infer<typeof FormatSchema>;

/** A cell: text, a number with its format, a count over a denominator, an interval, or a reason for no value. */
const CellSchema = doc(
  z.discriminatedUnion('kind', [
    doc(z.strictObject({ kind: z.literal('text'), text: z.string() }), 'Text, printed as is.'),
    doc(
      z.strictObject({ kind: z.literal('number'), value: finite(), format: FormatSchema.optional() }),
      "A number; `format` overrides the column's format.",
    ),
    doc(
      z.strictObject({
        kind: z.literal('proportion'),
        count: z.number().int().nonnegative(),
        total: z.number().int().positive(),
        digits: digits().optional(),
      }),
      'count of total, printed "44.7% (97/217)" with `digits` decimals (default 1).',
    ),
    doc(
      z.strictObject({
        kind: z.literal('interval'),
        lower: finite(),
        upper: finite(),
        format: FormatSchema.optional(),
      }),
      'A confidence interval "[0.12, 0.45]"; the bounds use `format`, else the column\'s format.',
    ),
    doc(
      z.strictObject({ kind: z.literal('not_computable'), reason: z.string().min(1) }),
      'Printed "not computable"; the reason goes into a table note.',
    ),
    doc(
      z.strictObject({ kind: z.literal('suppressed'), reason: z.string().min(1) }),
      'Printed "suppressed" (small-cell suppression); the reason goes into a table note.',
    ),
    doc(z.strictObject({ kind: z.literal('empty') }), 'An empty cell (same as leaving the key out).'),
  ]),
  'One table cell: the raw value and how to print it.',
  'ReportCell',
);
export type Cell = z.infer<typeof CellSchema>;

const AlignSchema = z.enum(['left', 'right', 'center']);
export type Align = z.infer<typeof AlignSchema>;

const ColumnSchema = doc(
  z.strictObject({
    key: ColumnKeySchema,
    label: z.string(),
    align: doc(AlignSchema.optional(), 'Default: left for text columns, right for numbers.'),
    format: FormatSchema,
  }),
  'A column: key of its cells in each row, header label, alignment, and the default format of its cells.',
  'ReportColumn',
);
export type Column = z.infer<typeof ColumnSchema>;

const RowSchema = doc(
  z.discriminatedUnion('kind', [
    doc(
      z.strictObject({
        kind: z.literal('data'),
        cells: z.record(z.string(), CellSchema),
        indent: z.number().int().min(0).max(4).optional(),
      }),
      'Cells by column key; a missing key is an empty cell. `indent` (0-4) indents the first cell.',
    ),
    doc(
      z.strictObject({
        kind: z.literal('group'),
        label: z.string().min(1),
        indent: z.number().int().min(0).max(4).optional(),
      }),
      'A group header spanning the table, e.g. a domain above its items; rows below belong to it until the next group header of the same or lower indent.',
    ),
  ]),
  'A data row or a group header row.',
  'ReportRow',
);
export type Row = z.infer<typeof RowSchema>;

export const TableSpecSchema = doc(
  z.strictObject({
    type: z.literal('table'),
    id: ReportIdSchema,
    title: z.string().min(1),
    columns: doc(z.array(ColumnSchema).min(1), 'The first column is the row header.'),
    rows: z.array(RowSchema),
    denominator: doc(
      z.string().min(1).optional(),
      'What percentages and statistics are computed over; printed as the first note.',
    ),
    notes: doc(
      z.array(z.string().min(1)),
      'Methods and caveats, e.g. "Levene\'s test centred on the mean, as SPSS."',
    ),
  }),
  'A table. Renderers number tables in report order ("Table 1") and print notes below it, ending with the reasons of not computable and suppressed cells.',
  'ReportTable',
);
export type TableSpec = z.infer<typeof TableSpecSchema>;

const FigureDatumSchema = doc(
  z.strictObject({
    category: doc(z.string().min(1), 'Category label (an axis label), unique within the figure.'),
    value: doc(z.number(), "The bar's value in the unit of `x.format` (a proportion 0-1 for percent)."),
    count: doc(
      z.number().int().nonnegative().optional(),
      'Numerator behind a proportion, for text alternatives.',
    ),
    total: doc(z.number().int().positive().optional(), 'Denominator behind a proportion.'),
    segments: doc(
      z.array(z.number().min(0).max(1)).optional(),
      "Diverging figures: the share of each of the figure's `levels` (proportions of `total`, in level order, summing to 1).",
    ),
  }),
  'One bar.',
  'ReportFigureDatum',
);
export type FigureDatum = z.infer<typeof FigureDatumSchema>;

/** A chart, independent of any charting library. `kind: 'bar'` is a horizontal bar chart (categories on y). */
const FigureSpecSchema = doc(
  z.strictObject({
    type: z.literal('figure'),
    id: ReportIdSchema,
    title: z.string().min(1),
    kind: doc(
      z.enum(['bar', 'diverging']),
      'bar: a horizontal bar chart, categories on y, values on x. diverging: a diverging stacked bar chart of ordered responses (Likert items): each category a bar split into its `segments`, levels below the middle to the left of 0 and above it to the right (a middle level, if any, straddles 0); `value` is the share in the top (agreeing) levels.',
    ),
    levels: doc(
      z.array(z.string().min(1)).min(2).optional(),
      'Diverging figures: the ordered response labels, lowest first.',
    ),
    agreeing: doc(
      z.array(z.number().int().nonnegative()).optional(),
      "Diverging figures: indexes into `levels` counted in each datum's `value` (e.g. the top two).",
    ),
    data: z.array(FigureDatumSchema),
    x: doc(
      z.strictObject({
        title: z.string(),
        format: FormatSchema,
        domain: z.tuple([finite(), finite()]).optional(),
      }),
      'The value axis: title, format of values and value labels, optional fixed domain.',
    ),
    y: doc(z.strictObject({ title: z.string() }), 'The category axis.'),
    sort: doc(
      z.enum(['descending', 'ascending', 'data']),
      'Bar order: by value (ties keep data order) or as given.',
    ),
    valueLabels: doc(z.boolean(), "Print each bar's value (in `x.format`) at its end."),
    caption: z.string().min(1),
    denominator: z.string().min(1).optional(),
    notes: z.array(z.string().min(1)),
  }),
  'A chart, independent of any charting library. Renderers number figures in report order ("Figure 1").',
  'ReportFigure',
);
export type FigureSpec = z.infer<typeof FigureSpecSchema>;

const TextBlockSchema = doc(
  z.strictObject({ type: z.literal('text'), sentences: z.array(z.string().min(1)) }),
  'Finished result sentences, printed as one paragraph.',
  'ReportText',
);
export type TextBlock = z.infer<typeof TextBlockSchema>;

const BlockSchema = z.discriminatedUnion('type', [TableSpecSchema, FigureSpecSchema, TextBlockSchema]);
export type Block = z.infer<typeof BlockSchema>;

const SectionSchema = doc(
  z.strictObject({ id: ReportIdSchema, title: z.string().min(1), blocks: z.array(BlockSchema) }),
  'A titled section of tables, figures and text, in order.',
  'ReportSection',
);
export type Section = z.infer<typeof SectionSchema>;

const ReportObjectSchema = z.strictObject({
  schemaVersion: doc(
    z.literal(REPORT_SCHEMA_VERSION),
    'Version of this format; changes only when old files would no longer parse or would mean something else.',
  ),
  title: z.string().min(1),
  language: doc(LanguageSchema, "BCP 47 tag of the report's language; sets lang and dir in HTML."),
  generatedBy: doc(z.string().min(1), 'Program and version that made the report, e.g. "nabz 0.1.0".'),
  generatedAt: doc(z.string().min(1).optional(), 'ISO 8601 date-time; left out for reproducible output.'),
  scoringNote: doc(
    z.string().min(1),
    "Which scoring was used: the instrument's official subscales or study-defined domains. Every report names it.",
  ),
  sections: z.array(SectionSchema),
});

function checkTable(t: TableSpec, path: (string | number)[], ctx: z.RefinementCtx): void {
  const keys = new Set<string>();
  t.columns.forEach((c, i) => {
    if (keys.has(c.key))
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'columns', i, 'key'],
        message: `table "${t.id}": duplicate column key "${c.key}"`,
      });
    keys.add(c.key);
  });
  t.rows.forEach((r, i) => {
    if (r.kind !== 'data') return;
    for (const [k, cell] of Object.entries(r.cells)) {
      const at = [...path, 'rows', i, 'cells', k];
      if (!keys.has(k)) {
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `table "${t.id}", row ${i}: cell "${k}" is not a column (columns: ${[...keys].join(', ')})`,
        });
      }
      if (cell.kind === 'proportion' && cell.count > cell.total) {
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `table "${t.id}", row ${i}: count ${cell.count} exceeds total ${cell.total}`,
        });
      }
      if (cell.kind === 'interval' && cell.lower > cell.upper) {
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `table "${t.id}", row ${i}: interval lower ${cell.lower} exceeds upper ${cell.upper}`,
        });
      }
    }
  });
}

function checkFigure(f: FigureSpec, path: (string | number)[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  f.data.forEach((d, i) => {
    if (seen.has(d.category))
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'data', i, 'category'],
        message: `figure "${f.id}": duplicate category "${d.category}"`,
      });
    seen.add(d.category);
    if (d.count !== undefined && d.total !== undefined && d.count > d.total) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'data', i, 'count'],
        message: `figure "${f.id}": count ${d.count} exceeds total ${d.total}`,
      });
    }
  });
  if (f.x.format.kind === 'text') {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'x', 'format'],
      message: `figure "${f.id}": the value axis needs a number format, not text`,
    });
  }
  if (f.kind === 'diverging') {
    const n = f.levels?.length ?? 0;
    if (n < 2)
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'levels'],
        message: `figure "${f.id}": a diverging figure needs its levels`,
      });
    f.data.forEach((d, i) => {
      if (d.segments?.length !== n)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'data', i, 'segments'],
          message: `figure "${f.id}": category "${d.category}" needs one segment per level (${n})`,
        });
    });
    (f.agreeing ?? []).forEach((k, i) => {
      if (k >= n)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'agreeing', i],
          message: `figure "${f.id}": agreeing level ${k} is not one of the ${n} levels`,
        });
    });
  }
}

/** The report JSON: sections of tables, figures and sentences, plus what made it and which scoring it used. */
export const ReportSchema = ReportObjectSchema.superRefine((r, ctx) => {
  const sectionIds = new Set<string>();
  const blockIds = new Set<string>();
  const claim = (ids: Set<string>, what: string, id: string, path: (string | number)[]) => {
    if (ids.has(id))
      ctx.addIssue({
        code: 'custom',
        path,
        message: `duplicate ${what} id "${id}" (${what} ids must be unique in a report)`,
      });
    ids.add(id);
  };
  r.sections.forEach((s, i) => {
    claim(sectionIds, 'section', s.id, ['sections', i, 'id']);
    s.blocks.forEach((b, j) => {
      const path = ['sections', i, 'blocks', j];
      if (b.type === 'table') {
        claim(blockIds, 'table and figure', b.id, [...path, 'id']);
        checkTable(b, path, ctx);
      } else if (b.type === 'figure') {
        claim(blockIds, 'table and figure', b.id, [...path, 'id']);
        checkFigure(b, path, ctx);
      }
    });
  });
});
reportMeta.add(ReportSchema, {
  id: 'Report',
  title: 'nabz report',
  description: 'A nabz report: tables, figures and result sentences.',
});
export type Report = z.infer<typeof ReportSchema>;

/** Validate report JSON (e.g. read back from a file); never throws on bad input. */
export function parseReport(input: unknown): Validated<Report> {
  const r = ReportSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: toIssues(r.error) };
}

/** Validate a report built in code; throws with every issue listed (a malformed report is a programming error). */
export function assertValidReport(report: Report): Report {
  const r = parseReport(report);
  if (!r.ok)
    throw new Error(`invalid report:\n${r.issues.map((i: Issue) => `  ${i.path}: ${i.message}`).join('\n')}`);
  return report;
}

/**
 * The JSON Schema (draft 2020-12) of the report JSON, generated from `ReportSchema`. Cross-field rules
 * (unique ids, cell keys naming columns, count ≤ total) are checked by `parseReport` only.
 */
export function reportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ReportSchema, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
    metadata: reportMeta,
  }) as Record<string, unknown>;
}

/** Walk the blocks of a report in order, with their section. */
export function* reportBlocks(report: Report): Generator<{ section: Section; block: Block }> {
  for (const section of report.sections) for (const block of section.blocks) yield { section, block };
}

/** Table and figure numbers as renderers print them: id → "Table 1", "Figure 1" (numbered in report order). */
export function blockLabels(report: Report): Map<string, string> {
  const labels = new Map<string, string>();
  let tables = 0;
  let figures = 0;
  for (const { block } of reportBlocks(report)) {
    if (block.type === 'table') labels.set(block.id, `Table ${++tables}`);
    else if (block.type === 'figure') labels.set(block.id, `Figure ${++figures}`);
  }
  return labels;
}
