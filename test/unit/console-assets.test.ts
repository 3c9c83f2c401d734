/** The console's bundle, built in memory by esbuild, and the lists it carries. */
import { describe, expect, it } from 'vitest';
import { buildConsole, isConsolePath } from '../../console/assets';
import { RULES } from '../../console/src/rules';
import { RULE_IDS } from '../../lambdas/core/compliance/rules';

describe('the console bundle', () => {
  it('holds the page, its script and its styles, within the 150 KB gzip budget of a first load', async () => {
    const build = await buildConsole();

    expect([...build.assets.keys()].sort()).toEqual(['/', '/console/app.css', '/console/app.js']);
    const gzipped = [...build.assets.values()].reduce((sum, asset) => sum + asset.gzipped.length, 0);
    expect(gzipped).toBeLessThanOrEqual(150 * 1024);
    // One request loads the page: styles and script are inlined, allowed by their hashes alone.
    const page = build.assets.get('/')?.body.toString('utf8') ?? '';
    expect(page).toContain(`<style>${build.assets.get('/console/app.css')?.body.toString('utf8')}</style>`);
    expect(page).toContain(`<script>${build.assets.get('/console/app.js')?.body.toString('utf8')}</script>`);
    expect(build.csp).toMatch(/^default-src 'self'; .*style-src 'self' 'sha256-[^']+'; script-src 'self' 'sha256-[^']+' 'sha256-[^']+';/);
    // The page is cut after its script, inside <main>, where a server puts the first page's rows and API answer.
    expect(build.page.head + build.page.tail).toBe(page);
    expect(build.page.head.endsWith('</script>\n')).toBe(true);
    expect(build.page.head.lastIndexOf('<main')).toBeGreaterThan(build.page.head.lastIndexOf('</main'));
    expect(build.page.tail.startsWith('</main>\n')).toBe(true);
    expect(build.page.tail.endsWith('</body>\n</html>\n')).toBe(true);
  });

  it('is built once per process', async () => {
    expect(await buildConsole()).toBe(await buildConsole());
  });

  it('owns / and /console/* and leaves every API path to the API', () => {
    expect(['/', '/index.html', '/console/app.js'].every(isConsolePath)).toBe(true);
    expect(['/sessions', '/coverage', '/findings', '/openapi.json', '/consoles'].some(isConsolePath)).toBe(false);
  });

  it('offers exactly the compliance rules the API knows', () => {
    expect([...RULES]).toEqual([...RULE_IDS]);
  });
});
