/** Jump hosts that form a loop (a → b → a): such a host could never be reached. Each loop is reported once. */
import { jumpOf } from '../effective-ssh.js';
import type { CheckInput, Problem } from '../problem.js';

export function jumpHostLoops({ file, filePath }: CheckInput): Problem[] {
  const problems: Problem[] = [];
  const reported = new Set<string>();
  for (const [start, startHost] of Object.entries(file.hosts)) {
    const chain = [start];
    let next = jumpOf(file, start, startHost);
    while (next !== undefined) {
      if (chain.includes(next)) {
        const loop = [...chain.slice(chain.indexOf(next)), next];
        const key = [...new Set(loop)].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          problems.push({
            path: ['hosts', start, 'ssh', 'jumpHost'],
            message: `jump hosts form a loop: ${loop.join(' → ')}`,
            fix: `set jumpHost: null on the host that should be reached directly, in ${filePath}`,
          });
        }
        break;
      }
      chain.push(next);
      const host = file.hosts[next];
      next = host === undefined ? undefined : jumpOf(file, next, host);
    }
  }
  return problems;
}
