/** The pure parts of alert intake: labels to hosts, routes, credentials, the inventory section, config. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alertIdentity, alertOrder } from '../../src/alerts/fresh-alerts.js';
import { groupsOf, mapHost, stripPort } from '../../src/alerts/map-hosts.js';
import { parseAlertGroup } from '../../src/alerts/payloads.js';
import { routeChannel } from '../../src/alerts/route-channel.js';
import { windowFor } from '../../src/alerts/take-alert-group.js';
import { verifyAlertmanager, verifyGrafana } from '../../src/alerts/verify-credentials.js';
import { loadAlertsConfig } from '../../src/config/alerts-config.js';
import { BotConfigError, loadBotConfig } from '../../src/config/load-bot-config.js';
import { alertSettings } from '../../src/inventory/alerts-section.js';
import { InventoryError } from '../../src/inventory/errors.js';
import { parseInventory } from '../../src/inventory/load-inventory.js';

const INVENTORY = `
ssh: { user: diag, privateKeyPath: ./id, knownHostsPath: ./kh }
hosts:
  web-1: { address: 10.0.0.11 }
  web-2: { address: 10.0.0.12 }
  Api.Example.com: { address: 10.0.0.20 }
  twin-a: { address: 10.0.0.30, ssh: { port: 22 } }
  twin-b: { address: 10.0.0.30, ssh: { port: 2222 } }
groups:
  web: [web-1, web-2]
  api: [Api.Example.com]
alerts:
  labels: [node, instance]
  dedupWindow: 15m
  routes:
    - { group: web, severity: critical, channel: C0PAGE }
    - { group: web, channel: C0WEB }
    - { severity: info, channel: C0INFO }
`;
const inv = parseInventory(INVENTORY, '/etc/d502/inventory.yml');

describe('host mapping', () => {
  it.each([
    ['web-3:9100', 'web-3'],
    ['10.0.0.5:80', '10.0.0.5'],
    ['[2001:db8::1]:9100', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['http://web-1:8080/metrics', 'web-1'],
    ['  web-1  ', 'web-1'],
  ])('strips the port of %s', (input, out) => expect(stripPort(input)).toBe(out));

  it('tries the labels in order, matches names ignoring case and addresses, port stripped', () => {
    const s = alertSettings(inv.alerts);
    expect(s).toMatchObject({ labels: ['node', 'instance'], dedupWindowS: 900 });
    expect(mapHost(inv, { instance: 'web-1:9113' }, s.labels)).toMatchObject({
      kind: 'known',
      host: { name: 'web-1' },
    });
    expect(mapHost(inv, { node: '10.0.0.12', instance: 'web-1:1' }, s.labels)).toMatchObject({
      host: { name: 'web-2' },
    });
    expect(mapHost(inv, { instance: 'api.example.com:443' }, s.labels)).toMatchObject({
      host: { name: 'Api.Example.com' },
    });
    expect(mapHost(inv, { instance: 'db-9:9100' }, s.labels)).toEqual({ kind: 'unknown', value: 'db-9' });
    // Two hosts behind one address cannot be told apart from a label: never guessed.
    expect(mapHost(inv, { instance: '10.0.0.30:9100' }, s.labels)).toEqual({
      kind: 'unknown',
      value: '10.0.0.30',
    });
    // A shell-looking label is only ever compared, never run: unknown.
    expect(mapHost(inv, { instance: 'web-1;reboot' }, s.labels).kind).toBe('unknown');
    expect(mapHost(inv, { job: 'nginx' }, s.labels)).toEqual({ kind: 'none' });
    expect(alertSettings(undefined)).toEqual({
      labels: ['instance', 'host', 'hostname'],
      dedupWindowS: 600,
      routes: [],
    });
  });

  it('routes by inventory group and severity, first match, ALERT_CHANNEL otherwise', () => {
    const { routes } = alertSettings(inv.alerts);
    const web = groupsOf(inv, 'web-1');
    expect(web).toEqual(['web']);
    expect(routeChannel(routes, web, 'critical', 'C0DEF')).toBe('C0PAGE');
    expect(routeChannel(routes, web, 'warning', 'C0DEF')).toBe('C0WEB');
    expect(routeChannel(routes, ['api'], 'INFO', 'C0DEF')).toBe('C0INFO');
    expect(routeChannel(routes, ['api'], undefined, 'C0DEF')).toBe('C0DEF');
  });

  it('the window starts a minute before the alert, between 1 minute and 1 day', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(windowFor('2026-01-01T11:50:00Z', now)).toBe(660);
    expect(windowFor('2026-01-01T12:00:30Z', now)).toBe(60);
    expect(windowFor('2025-01-01T00:00:00Z', now)).toBe(86_400);
    expect(windowFor('not a time', now)).toBe(900);
  });
});

describe('the inventory alerts section', () => {
  const refused = (section: string) => {
    try {
      parseInventory(`hosts:\n  web-1: { address: 10.0.0.1 }\ngroups:\n  web: [web-1]\n${section}`, '/i.yml');
    } catch (err) {
      if (err instanceof InventoryError) return err.message;
      throw err;
    }
    throw new Error('expected the inventory to be refused');
  };
  it('says what is wrong and how to fix it', () => {
    expect(refused('alerts:\n  dedupWindow: 10 minutes\n')).toMatch(
      /alerts\.dedupWindow.*expected a duration like 600s, 10m or 1h/,
    );
    expect(refused('alerts:\n  routes: [{ group: db, channel: C0DB }]\n')).toMatch(
      /alerts\.routes\[0\]\.group.*"db" is not a group.*Fix: add groups\.db/,
    );
    expect(refused('alerts:\n  routes: [{ channel: "#incidents" }]\n')).toMatch(/channel id like C0123ABCD/);
    expect(refused('alerts:\n  label: [instance]\n')).toMatch(/alerts/);
  });
});

describe('credentials', () => {
  const creds = { token: 'a'.repeat(32), basic: { user: 'am', password: 'p'.repeat(20) } };
  it('Alertmanager: the bearer token or basic auth, nothing else', () => {
    expect(verifyAlertmanager(creds, `Bearer ${'a'.repeat(32)}`)).toBe(true);
    expect(verifyAlertmanager(creds, `bearer ${'a'.repeat(32)}`)).toBe(true);
    expect(verifyAlertmanager(creds, `Bearer ${'a'.repeat(31)}`)).toBe(false);
    expect(verifyAlertmanager(creds, `Basic ${Buffer.from(`am:${'p'.repeat(20)}`).toString('base64')}`)).toBe(
      true,
    );
    expect(verifyAlertmanager(creds, `Basic ${Buffer.from(`am:${'p'.repeat(19)}`).toString('base64')}`)).toBe(
      false,
    );
    expect(verifyAlertmanager(creds, undefined)).toBe(false);
    expect(verifyAlertmanager({ token: undefined, basic: creds.basic }, `Bearer ${'a'.repeat(32)}`)).toBe(
      false,
    );
  });
  it('Grafana without a timestamp header: hex HMAC over the body alone', () => {
    const g = {
      secret: 's'.repeat(20),
      signatureHeader: 'X-Grafana-Alerting-Signature',
      timestampHeader: undefined,
      maxAgeS: 300,
    };
    const body = Buffer.from('{"groupKey":"x"}');
    const sig = createHmac('sha256', g.secret).update(body).digest('hex');
    expect(verifyGrafana(g, { signature: sig, timestamp: undefined }, body, Date.now())).toEqual({
      ok: true,
    });
    expect(
      verifyGrafana(g, { signature: sig.toUpperCase(), timestamp: undefined }, body, Date.now()),
    ).toEqual({ ok: true });
    expect(
      verifyGrafana(g, { signature: sig, timestamp: undefined }, Buffer.from('{"groupKey":"y"}'), 0).ok,
    ).toBe(false);
    expect(verifyGrafana(g, { signature: undefined, timestamp: undefined }, body, 0).ok).toBe(false);
  });
});

describe('payloads', () => {
  it('ignores unknown fields and keeps what intake needs', () => {
    const r = parseAlertGroup('alertmanager', {
      version: '4',
      groupKey: 'k',
      status: 'firing',
      routeLabels: { a: 'b' },
      commonLabels: { alertname: 'X' },
      alerts: [{ status: 'firing', labels: { instance: 'web-1' }, startsAt: 't', extra: 1 }],
    });
    expect(r).toMatchObject({ ok: true, group: { title: 'X', alerts: [{ labels: { instance: 'web-1' } }] } });
  });
});

describe('configuration', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', DIAGNOSE502_INVENTORY: '/i.yml' };
  it('refuses alert intake without credentials, saying what to set', () => {
    expect(() => loadBotConfig({ ...base, ALERT_CHANNEL: 'C0ALERTS' }, 'serve')).toThrow(BotConfigError);
    expect(loadAlertsConfig({ ALERT_CHANNEL: 'C0ALERTS' }).issues.join()).toMatch(
      /set ALERT_WEBHOOK_TOKEN \(or ALERT_WEBHOOK_USER and ALERT_WEBHOOK_PASSWORD\).*GRAFANA_WEBHOOK_SECRET/,
    );
    expect(loadAlertsConfig({ ALERT_CHANNEL: 'C0ALERTS', ALERT_WEBHOOK_TOKEN: '' }).issues).toHaveLength(1);
    expect(loadAlertsConfig({ ALERT_WEBHOOK_TOKEN: 't'.repeat(16) }).issues.join()).toMatch(
      /ALERT_CHANNEL is not set/,
    );
    expect(loadAlertsConfig({ ALERT_CHANNEL: 'C0A', ALERT_WEBHOOK_USER: 'u' }).issues.join()).toMatch(
      /go together/,
    );
    expect(loadAlertsConfig({ ALERT_CHANNEL: 'C0A', ALERT_WEBHOOK_TOKEN: 'short' }).issues.join()).toMatch(
      /at least 16/,
    );
  });
  it('is off without ALERT_CHANNEL; each route only with its own credentials', () => {
    expect(loadBotConfig(base, 'serve').alerts).toBeUndefined();
    const c = loadAlertsConfig({ ALERT_CHANNEL: 'C0A', GRAFANA_WEBHOOK_SECRET: 'g'.repeat(16) }).config;
    expect(c?.alertmanager).toBeUndefined();
    expect(c?.grafana).toMatchObject({ signatureHeader: 'X-Grafana-Alerting-Signature', maxAgeS: 300 });
    expect(c?.maxBodyBytes).toBe(1024 * 1024);
  });
});

describe('alert order (replays cannot go back in time)', () => {
  const alert = (status: 'firing' | 'resolved', startsAt: string) => ({
    status,
    labels: { alertname: 'A', instance: 'web-1' },
    startsAt,
    endsAt: undefined,
    fingerprint: 'f00d',
  });
  it('orders by episode (startsAt), then firing before resolved', () => {
    const first = alertOrder(alert('firing', '2026-12-01T10:00:00Z'));
    const resolved = alertOrder(alert('resolved', '2026-12-01T10:00:00Z'));
    const again = alertOrder(alert('firing', '2026-12-01T11:00:00Z'));
    expect([first < resolved, resolved < again]).toEqual([true, true]);
    expect(alertOrder(alert('firing', 'not a time'))).toBe('000000000000000:0');
  });
  it('identifies an alert by its fingerprint, or by its sorted labels', () => {
    expect(alertIdentity(alert('firing', 'x'))).toBe('f00d');
    const a = { ...alert('firing', 'x'), fingerprint: undefined, labels: { b: '2', a: '1' } };
    const b = { ...a, labels: { a: '1', b: '2' } };
    expect(alertIdentity(a)).toBe(alertIdentity(b));
  });
});
