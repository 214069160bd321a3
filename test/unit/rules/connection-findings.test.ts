import { describe, expect, it } from 'vitest';
import {
  hostKeyMismatchFinding,
  hostUnreachableFinding,
} from '../../../src/diagnosis/connection-findings.js';

describe('SSH-layer findings', () => {
  it('host-unreachable carries the reason and the verbatim detail', () => {
    const f = hostUnreachableFinding('connection timed out', 'connect ETIMEDOUT 10.0.4.3:22');
    expect(f.cause).toBe('host-unreachable');
    expect(f.title).toContain('connection timed out');
    expect(f.evidence).toEqual(['connect ETIMEDOUT 10.0.4.3:22']);
    expect(f.actions.every((a) => a.kind === 'human')).toBe(true);
  });

  it('host-key-mismatch says nothing ran and offers no automatic action', () => {
    const f = hostKeyMismatchFinding('SHA256:Xk3 expected, SHA256:9Qa presented');
    expect(f.cause).toBe('host-key-mismatch');
    expect(f.title).toContain('nothing was run');
    expect(f.actions.map((a) => a.kind)).toEqual(['human']);
  });
});
