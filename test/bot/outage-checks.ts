/**
 * What a person sees in Slack after an outage, as the outage tests check it: each report once,
 * marked late, with Re-run; its thread after it; no message or file twice.
 */
import { randomBytes } from 'node:crypto';
import type { Message, SlackStandin, UploadedFile } from '../slack-standin/server.js';

export function headerOf(m: Message | undefined): string | undefined {
  const first = m?.blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  return first?.type === 'header' ? first.text?.text : undefined;
}

/** The late note under the header ("diagnosed at 14:02 UTC; Slack was unreachable until 14:05"). */
export function lateNoteOf(m: Message): string | undefined {
  const json = JSON.stringify(m.blocks);
  const found =
    /diagnosed at [0-9:-]+(?: [0-9:]+)? UTC; Slack was unreachable until [0-9:-]+(?: [0-9:]+)?/.exec(json);
  return found?.[0];
}

export function hasRerun(m: Message): boolean {
  return JSON.stringify(m.blocks).includes('"action_id":"d502_rerun"');
}

/** Index in the stand-in's call log of the successful call that created message `ts` / file `id`. */
export function postedAt(standin: SlackStandin, ts: string): number {
  return standin.calls.findIndex(
    (c) => c.method === 'chat.postMessage' && c.status === 200 && (c.response as { ts?: string }).ts === ts,
  );
}

export function uploadedAt(standin: SlackStandin, file: UploadedFile): number {
  return standin.calls.findIndex(
    (c) =>
      c.method === 'files.completeUploadExternal' &&
      c.status === 200 &&
      JSON.stringify(c.response).includes(`"id":"${file.id}"`),
  );
}

/** Successful posts and uploads, to count doubles. */
export function okPosts(standin: SlackStandin): number {
  return standin.calls.filter((c) => c.method === 'chat.postMessage' && c.response.ok === true).length;
}

export function amPayload(groupKey: string, instances: string[], status: 'firing' | 'resolved') {
  return JSON.stringify({
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status,
    receiver: 'bot',
    groupLabels: { alertname: 'NginxHigh502' },
    commonLabels: { alertname: 'NginxHigh502' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.test',
    alerts: instances.map((instance) => ({
      status,
      labels: { alertname: 'NginxHigh502', instance },
      annotations: {},
      startsAt: new Date(Date.now() - 120_000).toISOString(),
      endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.test/graph',
      fingerprint: randomBytes(8).toString('hex'),
    })),
  });
}
