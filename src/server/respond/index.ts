/** Respondent pages: rendering, assets, compression. The routes call these; see render.ts for the contexts. */

export { RESPOND_CSP, RESPOND_HEADERS } from '../ui/headers.js';
export { RESPOND_CSS, RESPOND_JS } from './assets.js';
export { type ContentEncoding, chooseEncoding, compressBody } from './compress.js';
export {
  type RenderedPage,
  type RespondCommon,
  type RespondContext,
  renderPage,
  renderPresented,
} from './render.js';
