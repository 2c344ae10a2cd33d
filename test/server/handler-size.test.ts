/**
 * Route handlers stay small: a handler parses the request, calls core (or the respondent engine), runs effects
 * through the store and renders a view (docs/architecture.md, "Layers"). This test parses the project with the
 * TypeScript compiler API (TypeScript 7's API: the compiler runs as a child process), finds every route
 * registration under src/server — `app.get/post/put/delete/patch(path, [options,] handler)` and
 * `app.route({ handler })` — and measures the handler (inline, or the function it names) and every function
 * of src/server it refers to that takes the request or the reply (work moved into such a helper is still the
 * handler's), transitively. It fails when one is over LIMIT lines.
 */
import { join, relative, sep } from 'node:path';
import * as ts from 'typescript/unstable/ast';
import { API, type Checker, type Project } from 'typescript/unstable/sync';
import { afterAll, describe, expect, it } from 'vitest';

const LIMIT = 60;
const root = join(__dirname, '..', '..');
const serverDir = join(root, 'src', 'server') + sep;

/**
 * Known debt: handlers that are still over LIMIT lines, with their size when listed, each to be cut into
 * load → core → view(model). Shorten one and take it off the list: the test fails while a listed handler is
 * no longer over the limit (or gone), so the list only shrinks. Never add to it.
 */
const KNOWN_DEBT: Readonly<Record<string, number>> = {};

type FunctionNode = ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration | ts.MethodDeclaration;

interface Handler {
  /** `<file> <METHOD> <route>` for a handler, `<file> <function>()` for a function handlers refer to. */
  readonly name: string;
  readonly lines: number;
}

const METHODS = new Set(['get', 'post', 'put', 'delete', 'patch']);

function isFunction(node: ts.Node | undefined): node is FunctionNode {
  return (
    node !== undefined &&
    (ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node))
  );
}

function lineCount(node: ts.Node): number {
  const sf = node.getSourceFile();
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
  const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
  return end - start + 1;
}

function functionName(fn: FunctionNode): string {
  if (fn.name) return fn.name.getText(fn.getSourceFile());
  const parent = fn.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)))
    return parent.name.getText(fn.getSourceFile());
  return '(anonymous)';
}

function isInside(inner: ts.Node, outer: ts.Node): boolean {
  return (
    inner.getSourceFile().fileName === outer.getSourceFile().fileName &&
    inner.pos >= outer.pos &&
    inner.end <= outer.end
  );
}

class Finder {
  private readonly checker: Checker;
  readonly handlers: Handler[] = [];
  private readonly names = new Map<string, number>();

  constructor(private readonly project: Project) {
    this.checker = project.checker;
  }

  /** The function a name stands for (a declaration, or a variable or property initialised with one). */
  private functionOf(node: ts.Node): FunctionNode | undefined {
    if (isFunction(node)) return node;
    if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node)) return undefined;
    let symbol = this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(node) ? node.name : node);
    if (!symbol) return undefined;
    if (symbol.declarations.some((d) => d.kind === ts.SyntaxKind.ImportSpecifier))
      symbol = this.checker.getAliasedSymbol(symbol);
    const handle = symbol.valueDeclaration ?? symbol.declarations[0];
    if (!handle?.path.startsWith(serverDir)) return undefined;
    const decl = handle.resolve(this.project);
    if (isFunction(decl)) return decl;
    if (
      decl &&
      (ts.isVariableDeclaration(decl) || ts.isPropertyAssignment(decl)) &&
      isFunction(decl.initializer)
    )
      return decl.initializer;
    return undefined;
  }

  /** Whether a function takes the request or the reply (by its parameters' types). */
  private takesRequest(fn: FunctionNode): boolean {
    return fn.parameters.some((p) => {
      const type = this.checker.getTypeAtLocation(p);
      const text = type ? this.checker.typeToString(type) : '';
      return /\b(Fastify(Request|Reply)|\w+Request)\b/.test(text);
    });
  }

  private add(name: string, lines: number): void {
    const n = (this.names.get(name) ?? 0) + 1;
    this.names.set(name, n);
    this.handlers.push({ name: n > 1 ? `${name} #${n}` : name, lines });
  }

  /** Request-taking functions already measured (each once, whichever handler refers to it first). */
  private readonly done = new Set<string>();

  /** The handler, then the request-taking functions of src/server it refers to (transitively, once each). */
  private walk(label: string, handler: FunctionNode): void {
    this.add(label, lineCount(handler));
    const done = this.done;
    const visit = (fn: FunctionNode) => {
      const scan = (node: ts.Node): void => {
        if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
          const target = this.functionOf(node);
          const id = target && `${target.getSourceFile().fileName}:${target.pos}`;
          if (target && id && !done.has(id) && !isInside(target, handler) && this.takesRequest(target)) {
            done.add(id);
            const file = relative(root, target.getSourceFile().fileName).split(sep).join('/');
            this.add(`${file} ${functionName(target)}()`, lineCount(target));
            visit(target);
          }
          if (ts.isPropertyAccessExpression(node)) scan(node.expression);
          return;
        }
        node.forEachChild(scan);
      };
      if (fn.body) scan(fn.body);
    };
    visit(handler);
  }

  /** Every route registration of one file. */
  file(sf: ts.SourceFile): void {
    const file = relative(root, sf.fileName).split(sep).join('/');
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const args = node.arguments;
        const first = args[0];
        const last = args[args.length - 1];
        if (METHODS.has(method) && args.length >= 2 && first && last && isRoutePath(first)) {
          const fn = this.functionOf(last);
          const route = ts.isStringLiteral(first) ? first.text : first.getText(sf);
          if (fn) this.walk(`${file} ${method.toUpperCase()} ${route}`, fn);
        } else if (method === 'route' && first && ts.isObjectLiteralExpression(first)) {
          const prop = (key: string) =>
            first.properties.find(
              (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sf) === key,
            )?.initializer;
          const h = prop('handler');
          const fn = h && this.functionOf(h);
          const url = prop('url');
          const m = prop('method')?.getText(sf).replace(/['"]/g, '').toUpperCase() ?? 'ROUTE';
          if (fn)
            this.walk(`${file} ${m} ${url && ts.isStringLiteral(url) ? url.text : url?.getText(sf)}`, fn);
        }
      }
      node.forEachChild(visit);
    };
    visit(sf);
  }
}

/** A route path: a string, a template, or a name for one (`QUAL_SCRIPT_PATH`, `path`). */
function isRoutePath(node: ts.Node): boolean {
  return (
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    ts.isTemplateExpression(node) ||
    ts.isIdentifier(node) ||
    ts.isCallExpression(node)
  );
}

let api: API | undefined;

/** Every handler of src/server and the request-taking functions they refer to. */
function findHandlers(): Handler[] {
  api ??= new API({ cwd: root });
  const snapshot = api.updateSnapshot({ openProjects: [join(root, 'tsconfig.json')] });
  const project = snapshot.getProject(join(root, 'tsconfig.json'));
  if (!project) throw new Error('tsconfig.json did not load');
  const finder = new Finder(project);
  for (const name of project.program.getSourceFileNames()) {
    if (!name.startsWith(serverDir)) continue;
    const sf = project.program.getSourceFile(name);
    if (sf) finder.file(sf);
  }
  return finder.handlers;
}

describe(`route handlers are at most ${LIMIT} lines`, () => {
  afterAll(() => api?.close());
  const handlers = findHandlers();
  const byName = new Map(handlers.map((h) => [h.name, h]));

  if (process.env.LIST_HANDLERS === '1')
    for (const h of handlers) console.log(`${h.lines > LIMIT ? '!!' : '  '} '${h.name}': ${h.lines},`);

  it('finds the handlers of every route family, inline and named, and the helpers they call', () => {
    for (const route of [
      'src/server/respond/routes.ts POST /s/:token',
      'src/server/api/routes.ts POST /api/v1/s/:token/responses',
      'src/server/studio/preview.ts GET /studies/:id/preview',
      'src/server/studio/preview.ts POST /studies/:id/preview',
      'src/server/auth/routes.ts POST /signin',
    ])
      expect([...byName.keys()], route).toContain(route);
    expect(handlers.length).toBeGreaterThan(80);
  });

  it(`no handler is over ${LIMIT} lines, except the known debt`, () => {
    const long = handlers.filter((h) => h.lines > LIMIT && !(h.name in KNOWN_DEBT));
    expect(long.map((h) => `${h.name}: ${h.lines} lines`)).toEqual([]);
  });

  it('the known debt only shrinks: every listed handler exists and is still over the limit', () => {
    const stale = Object.keys(KNOWN_DEBT).filter((name) => {
      const h = byName.get(name);
      return !h || h.lines <= LIMIT;
    });
    expect(stale, 'take these off KNOWN_DEBT (shortened or gone)').toEqual([]);
  });
});
