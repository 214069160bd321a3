/** Host names that differ only in case: targets are matched ignoring case, so one would shadow the other. */
import type { CheckInput, Problem } from '../problem.js';

export function hostNamesDifferingInCase({ file, filePath }: CheckInput): Problem[] {
  const problems: Problem[] = [];
  const firstByLower = new Map<string, string>();
  for (const name of Object.keys(file.hosts)) {
    const other = firstByLower.get(name.toLowerCase());
    if (other === undefined) {
      firstByLower.set(name.toLowerCase(), name);
      continue;
    }
    problems.push({
      path: ['hosts', name],
      message: `same name as hosts.${other} apart from case; targets are matched ignoring case`,
      fix: `rename one of hosts.${other} and hosts.${name} in ${filePath}`,
    });
  }
  return problems;
}
