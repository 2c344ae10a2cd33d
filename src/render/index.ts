/** Renderers from a `Report`: terminal text, Markdown, CSV, JSON, HTML, Word (.docx), and figures as SVG. */
export { type CsvOptions, csvField, neutralizeFormula, renderTablesCsv, tableCsv } from './csv.js';
export { DOCX_FONT, MINUS, renderDocx, trueMinus } from './docx.js';
export { type HtmlOptions, renderHtml, renderHtmlDocument, renderHtmlFragment } from './html.js';
export { renderJson } from './json.js';
export { escapeMarkdown, type MarkdownOptions, renderMarkdown } from './markdown.js';
export { figureToVegaLite, renderFigureSvg, renderFiguresSvg } from './svg.js';
export { renderText, type TextOptions, wantsColor } from './text.js';
