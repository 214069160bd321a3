/**
 * Where Redis is, from one URL: `redis://` / `rediss://` (one server, ioredis parses it), or
 * `redis-sentinel://[:password@]host:26379,host2:26379/<master name>[?db=N]` for a Sentinel-managed
 * primary (ioredis asks the sentinels where the primary is, and follows a failover).
 */
import type { RedisOptions } from 'ioredis';

export type RedisTarget = { kind: 'url'; url: string } | { kind: 'sentinel'; options: RedisOptions };

export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
}

const SENTINEL = /^redis-sentinel:\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^/?]+)\/([^/?]+)(?:\?(.*))?$/;

export function parseRedisTarget(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { kind: 'url', url };
  const m = SENTINEL.exec(url);
  if (!m) {
    throw new RedisUrlError(
      'must be redis://host:6379, rediss://host:6380 or redis-sentinel://host1:26379,host2:26379/<master name>',
    );
  }
  const [, password, hostList = '', name = '', query] = m;
  const sentinels = hostList.split(',').map((hp) => {
    const hm = /^([^:]+)(?::(\d{1,5}))?$/.exec(hp.trim());
    if (!hm?.[1]) throw new RedisUrlError(`sentinel address ${JSON.stringify(hp)} is not host or host:port`);
    return { host: hm[1], port: Number(hm[2] ?? 26379) };
  });
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
