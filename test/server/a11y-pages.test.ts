/**
 * Every page of the server is in the accessibility check (issue 14): the GET routes registered in the Fastify
 * instance (read from `app.printRoutes()`) are each either a studio page of test/e2e/a11y-pages.ts, a
 * respondent route (whose states test/e2e/a11y.e2e.ts walks) or a route listed in NOT_PAGES with the reason it
 * is not a page. A new page fails here until it is added to the list, and a listed route that no longer
 * exists fails too.
 */
import { describe, expect, it } from 'vitest';
import { NOT_PAGES, RESPONDENT_ROUTES, STUDIO_PAGES } from '../e2e/a11y-pages.js';
import { testApp } from './helpers.js';

/**
 * The GET routes of a Fastify route tree as printed by `printRoutes({ commonPrefix: false })`: one node a line,
 * indented by four characters a level, the methods in parentheses.
 */
function getRoutes(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ├└─]*?)(?:[├└]── )?([^\s│├└─].*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = Math.floor((m[1]?.length ?? 0) / 4) + (line.includes('── ') ? 1 : 0);
    stack.length = depth;
    stack[depth] = m[2]!;
    const methods = (m[3] ?? '').split(',').map((s) => s.trim());
    if (methods.includes('GET')) out.push(stack.join('').replace(/^\/\//, '/') || '/');
  }
  return out;
}

describe('the accessibility check covers every page', () => {
  it('reads the route tree as Fastify prints it', () => {
    const tree = [
      '└── / (GET, HEAD)',
      '    ├── signin (GET, HEAD, POST)',
      '    ├── studies (POST)',
      '    │   └── /:id (GET, HEAD)',
      '    │       ├── /launch (POST)',
      '    │       └── /qual (GET, HEAD, POST)',
      '    │           └── /results (GET, HEAD)',
      '    │               └── .md (GET, HEAD)',
      '    └── healthz (GET, HEAD)',
    ].join('\n');
    expect(getRoutes(tree)).toEqual([
      '/',
      '/signin',
      '/studies/:id',
      '/studies/:id/qual',
      '/studies/:id/qual/results',
      '/studies/:id/qual/results.md',
      '/healthz',
    ]);
  });

  it('lists every GET route of the server as a checked page, a respondent route or not a page', async () => {
    const t = await testApp();
    try {
      const routes = getRoutes(t.app.printRoutes({ commonPrefix: false }));
      expect(routes.length).toBeGreaterThan(40);
      const listed = new Set([
        ...STUDIO_PAGES.map((p) => p.route),
        ...RESPONDENT_ROUTES,
        ...NOT_PAGES.map((p) => p.route),
      ]);
      const missing = routes.filter((r) => !listed.has(r));
      expect(missing, 'add these routes to STUDIO_PAGES (or NOT_PAGES) in test/e2e/a11y-pages.ts').toEqual(
        [],
      );
      for (const p of STUDIO_PAGES)
        expect(t.app.hasRoute({ method: 'GET', url: p.route }), p.route).toBe(true);
      const gone = [...listed].filter((r) => !routes.includes(r));
      expect(gone, 'routes listed in test/e2e/a11y-pages.ts that the server no longer has').toEqual([]);
      for (const p of STUDIO_PAGES) {
        const isPage = !NOT_PAGES.some((n) => n.route === p.route);
        expect(isPage, `${p.route} is both a page and not a page`).toBe(true);
      }
    } finally {
      await t.close();
    }
  });
});
