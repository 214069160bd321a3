/**
 * Where Redis is, from one URL: `redis://` / `rediss://` (one server, ioredis parses it),
 * `redis-sentinel://[:password@]host:26379,host2:26379/<master name>[?db=N]` for a Sentinel-managed
 * primary (ioredis asks the sentinels where the primary is, and follows a failover), or
 * `redis-cluster://[[user]:password@]host1:7000,host2:7001[?tls=1]` for a Redis Cluster (the
 * addresses are seeds: ioredis learns the other nodes and the slot map from them).
 */
import type { ClusterNode, ClusterOptions, DNSLookupFunction, RedisOptions } from 'ioredis';

export type RedisTarget =
  | { kind: 'url'; url: string }
  | { kind: 'sentinel'; options: RedisOptions }
  | { kind: 'cluster'; nodes: ClusterNode[]; options: ClusterOptions };

export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
}

const SENTINEL = /^redis-sentinel:\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^/?]+)\/([^/?]+)(?:\?(.*))?$/;
const CLUSTER = /^redis-cluster:\/\/(?:([^:@/]*):([^@/]*)@)?([^/?@]*)\/?(?:\?(.*))?$/;

const USAGE =
  'must be redis://host:6379, rediss://host:6380, redis-sentinel://host1:26379,host2:26379/<master name> or redis-cluster://host1:7000,host2:7001';

function addresses(list: string, what: string, defaultPort: number): { host: string; port: number }[] {
  return list.split(',').map((hp) => {
    const hm = /^([^:]+)(?::(\d{1,5}))?$/.exec(hp.trim());
    if (!hm?.[1]) throw new RedisUrlError(`${what} address ${JSON.stringify(hp)} is not host or host:port`);
    return { host: hm[1], port: Number(hm[2] ?? defaultPort) };
  });
}

export function parseRedisTarget(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { kind: 'url', url };
  if (url.startsWith('redis-cluster://')) return parseCluster(url);
  const m = SENTINEL.exec(url);
  if (!m) throw new RedisUrlError(USAGE);
  const [, password, hostList = '', name = '', query] = m;
  const sentinels = addresses(hostList, 'sentinel', 26379);
  const db = new URLSearchParams(query ?? '').get('db');
  if (db !== null && !/^\d{1,2}$/.test(db)) throw new RedisUrlError(`db=${db} must be a database number`);
  return {
    kind: 'sentinel',
    options: {
      sentinels,
      name: decodeURIComponent(name),
      ...(password ? { password: decodeURIComponent(password) } : {}),
      ...(db !== null ? { db: Number(db) } : {}),
    },
  };
}

const keepName: DNSLookupFunction = (address, callback) => callback(null, address);

function parseCluster(url: string): RedisTarget {
  const m = CLUSTER.exec(url);
  if (!m) {
    throw new RedisUrlError(
      'redis-cluster:// must be redis-cluster://[[user]:password@]host1:7000,host2:7001[?tls=1] (no database: a cluster has only db 0)',
    );
  }
  const [, user, password, hostList = '', query] = m;
  if (hostList.trim() === '')
    throw new RedisUrlError('redis-cluster:// names no node: give at least one host:port');
  const nodes = addresses(hostList, 'cluster node', 6379);
  const params = new URLSearchParams(query ?? '');
  for (const key of params.keys()) {
    if (key !== 'tls') throw new RedisUrlError(`redis-cluster:// does not know ?${key} (only ?tls=1)`);
  }
  const tls = params.get('tls');
  if (tls !== null && tls !== '1' && tls !== '0') throw new RedisUrlError(`tls=${tls} must be 1 or 0`);
  return {
    kind: 'cluster',
    nodes,
    options: {
      redisOptions: {
        ...(user ? { username: decodeURIComponent(user) } : {}),
        ...(password ? { password: decodeURIComponent(password) } : {}),
        ...(tls === '1' ? { tls: {} } : {}),
      },
      // With TLS, connect to the names the cluster announces so that certificates match them.
      ...(tls === '1' ? { dnsLookup: keepName } : {}),
    },
  };
}
