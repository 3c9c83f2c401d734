/** `npm run bench` rewrites docs/benchmarks.md; the console's section (from bench/console.ts) must survive it. */
import { describe, expect, it } from 'vitest';
import { consoleSection, withConsoleSection } from '../../bench/console-section';

const SOAK = '<!-- soak-matrix:start (written by `npm run soak -- --matrix --write-docs`) -->\n## Soak\n\nrows\n<!-- soak-matrix:end -->';

describe('the Console section of docs/benchmarks.md', () => {
  it('is found up to the next heading or generated marker, and is empty when missing', () => {
    const text = `# Benchmarks\n\n## Details\n\nx\n\n## Console\n\n| a | b |\n\n${SOAK}\n`;
    expect(consoleSection(text)).toBe('## Console\n\n| a | b |');
    expect(consoleSection('# Benchmarks\n\n## Details\n')).toBe('');
  });

  it('is replaced in place, or appended when the regenerated file has none', () => {
    const text = `# B\n\n## Console\n\nold\n\n## After\n\ny\n`;
    expect(withConsoleSection(text, '## Console\n\nnew')).toBe('# B\n\n## Console\n\nnew\n\n## After\n\ny\n');
    expect(withConsoleSection(`# B\n\n${SOAK}\n`, '## Console\n\nnew')).toBe(`# B\n\n${SOAK}\n\n## Console\n\nnew\n`);
  });
});
