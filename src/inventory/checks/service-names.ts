/** Two services of one host with the same name: restart buttons and findings name services by it. */
import type { CheckInput, Problem } from '../problem.js';
import type { Host } from '../schema.js';

export function duplicateServiceNames(name: string, host: Host, { filePath }: CheckInput): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  (host.services ?? []).forEach((service, index) => {
    if (seen.has(service.name)) {
      problems.push({
        path: ['hosts', name, 'services', index, 'name'],
        message: `duplicate service name "${service.name}" on this host`,
        fix: `give each service of hosts.${name} a distinct name in ${filePath}`,
      });
    }
    seen.add(service.name);
  });
  return problems;
}
