import { describe, expect, it } from 'vitest';
import { keepSoakSection, soakSection } from '../../bench/soak-section';

const SECTION = '<!-- soak-matrix:start (written by `npm run soak -- --matrix --write-docs`) -->\n## Soak\n| a |\n<!-- soak-matrix:end -->';

describe('the soak matrix section of docs/benchmarks.md', () => {
  it('survives `npm run bench` regenerating the rest of the file', () => {
    const previous = `# Benchmarks\nold numbers\n\n${SECTION}\n`;
    const regenerated = keepSoakSection(previous, '# Benchmarks\nnew numbers\n');
    expect(regenerated).toBe(`# Benchmarks\nnew numbers\n\n${SECTION}\n`);
    expect(soakSection(regenerated)).toBe(SECTION);
  });

  it('is simply absent when no soak matrix was ever written', () => {
    expect(keepSoakSection('# Benchmarks\nold\n', '# Benchmarks\nnew\n')).toBe('# Benchmarks\nnew\n');
    expect(keepSoakSection(undefined, '# B\n')).toBe('# B\n');
    expect(soakSection('<!-- soak-matrix:end --> then <!-- soak-matrix:start (written by `npm run soak -- --matrix --write-docs`) -->')).toBeUndefined();
  });
});
