/** Where an alert's thread goes: the first `alerts.routes` entry matching the host's groups and severity. */
import type { AlertRouteRule } from '../inventory/alerts-section.js';

export function routeChannel(
  routes: readonly AlertRouteRule[],
  hostGroups: readonly string[],
  severity: string | undefined,
  fallback: string,
): string {
  for (const route of routes) {
    if (route.group !== undefined && !hostGroups.includes(route.group)) continue;
    if (route.severity !== undefined && route.severity.toLowerCase() !== severity?.toLowerCase()) continue;
    return route.channel;
  }
  return fallback;
}
