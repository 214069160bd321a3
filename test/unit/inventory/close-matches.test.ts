import { describe, expect, it } from 'vitest';
import { closeMatches, editDistance } from '../../../src/inventory/close-matches.js';

describe('closeMatches', () => {
  const names = ['web-1', 'web-2', 'web-3', 'web', 'db-1', 'bastion'];

  it('computes the edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('ignores dropped punctuation and prefers the exact spelling on ties', () => {
    expect(closeMatches('web3', names)[0]).toBe('web-3');
    expect(closeMatches('WEB_1', names)[0]).toBe('web-1');
  });

  it('finds typos and containment, and nothing for unrelated text', () => {
    expect(closeMatches('bastoin', names)).toEqual(['bastion']);
    expect(closeMatches('web-1.example.com', names)).toContain('web-1');
    expect(closeMatches('zzzzzz', names)).toEqual([]);
  });

  it('limits the number of suggestions', () => {
    expect(closeMatches('web', names, 2)).toHaveLength(2);
  });
});
