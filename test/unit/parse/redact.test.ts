import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/parse/redact.js';

const R = '[REDACTED]';

describe('redact', () => {
  it.each([
    // query strings inside an nginx error line: only the secret goes, the line stays readable
    [
      '2024/01/01 00:00:00 [error] 7#7: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: app, request: "GET /cb?code_challenge=x&token=abc123&state=ok HTTP/1.1", upstream: "http://10.0.0.5:8080/cb?token=abc123", host: "app"',
      `2024/01/01 00:00:00 [error] 7#7: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: app, request: "GET /cb?code_challenge=x&token=${R}&state=ok HTTP/1.1", upstream: "http://10.0.0.5:8080/cb?token=${R}", host: "app"`,
    ],
    ['GET /a?access_token=ya29.a0AfH6SM&x=1', `GET /a?access_token=${R}&x=1`],
    [
      'GET /a?api_key=k-123&key=AIzaSyD&sig=f00&signature=bar',
      `GET /a?api_key=${R}&key=${R}&sig=${R}&signature=${R}`,
    ],
    [
      '/login?user=bob&password=hunter2&secret=s3&auth=x&session=abc',
      `/login?user=bob&password=${R}&secret=${R}&auth=${R}&session=${R}`,
    ],
    [
      'https://bucket.s3.amazonaws.com/f?X-Amz-Credential=AKIA/2026&X-Amz-Signature=9f8e7d',
      `https://bucket.s3.amazonaws.com/f?X-Amz-Credential=${R}&X-Amz-Signature=${R}`,
    ],
    // headers
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def', `Authorization: Bearer ${R}`],
    ['authorization: Basic dXNlcjpwYXNz', `authorization: Basic ${R}`],
    ['Proxy-Authorization: Token abcdef', `Proxy-Authorization: Token ${R}`],
    ['Cookie: sessionid=abc; theme=dark', `Cookie: sessionid=${R}; theme=${R}`],
    ['Set-Cookie: sid=xyz; Path=/; HttpOnly; Secure', `Set-Cookie: sid=${R}; Path=/; HttpOnly; Secure`],
    // tokens anywhere
    ['sent bearer abc.def-ghi to upstream', `sent bearer ${R} to upstream`],
    ['token xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx leaked', `token ${R} leaked`],
    [
      'url https://hooks.slack.com/services/T000/B000/XXXXXXXX end',
      `url https://hooks.slack.com/services/${R} end`,
    ],
    ['aws_access_key_id AKIAIOSFODNN7EXAMPLE here', `aws_access_key_id ${R} here`],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_secret_access_key = ${R}`],
    [
      'jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c ok',
      `jwt ${R} ok`,
    ],
    // config-ish and JSON
    ['DB_PASSWORD=p@ss w0rd', `DB_PASSWORD=${R} w0rd`],
    ['password: hunter2', `password: ${R}`],
    ['auth_pass="two words" user="bob"', `auth_pass="${R}" user="bob"`],
    [
      '{"user":"bob","password":"hunter2","client_secret":"abc"}',
      `{"user":"bob","password":"${R}","client_secret":"${R}"}`,
    ],
    ['postgres://app:s3cr3t@db.internal:5432/app', `postgres://app:${R}@db.internal:5432/app`],
  ])('%s', (input, want) => {
    expect(redact(input)).toBe(want);
  });

  it.each([
    '2020/05/07 03:15:12 [error] 6#6: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.21.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://172.21.0.19:9000/", host: "0.0.0.0:9000"',
    'Nov 21 10:52:04 web1 systemd[1]: app.service: Main process exited, code=exited, status=1/FAILURE',
    'upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", keepalive_timeout=4s monkey=1',
    'proxy_pass http://backend; proxy_set_header Host $host;',
  ])('leaves evidence without secrets untouched: %s', (line) => {
    expect(redact(line)).toBe(line);
  });

  it('is idempotent', () => {
    const once = redact(
      'Cookie: a=1; b=2 Authorization: Bearer xyz ?token=t&password=p xoxp-1234567890-abcdef',
    );
    expect(redact(once)).toBe(once);
    expect(once).not.toMatch(/xyz|token=t|password=p|xoxp/);
  });

  // Its speed on this input is measured in bench/parse.bench.ts.
  it('handles long hostile input and keeps its length order', () => {
    const hostile = `${'a'.repeat(5000)}= ${'password'.repeat(500)} ${'x=y&'.repeat(2000)} ${'Bearer '.repeat(500)}`;
    const out = redact(hostile.repeat(20));
    expect(out.length).toBeGreaterThan(hostile.length);
    expect(out.length).toBeLessThan(hostile.length * 40);
  });
});
