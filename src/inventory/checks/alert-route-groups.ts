/** An alert route that names a group the inventory does not have. */
import type { CheckInput, Problem } from '../problem.js';

export function alertRoutesToUnknownGroups({ file, filePath }: CheckInput): Problem[] {
  const problems: Problem[] = [];
  (file.alerts?.routes ?? []).forEach((route, index) => {
    if (route.group === undefined || Object.hasOwn(file.groups ?? {}, route.group)) return;
    problems.push({
      path: ['alerts', 'routes', index, 'group'],
      message: `"${route.group}" is not a group of this inventory`,
      fix: `add groups.${route.group} or change alerts.routes[${index}].group in ${filePath}`,
    });
  });
  return problems;
}
