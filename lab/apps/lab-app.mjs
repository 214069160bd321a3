// lab-app: the lab's own HTTP application, the upstream behind nginx on web hosts (127.0.0.1:8081)
// and the remote upstream on app hosts (0.0.0.0:8080). Plain JS so it starts in ~50 ms.
//
// Its behaviour is switched at run time, without a restart, by /run/lab-app/mode.json, read on every
// request (see lab/apps/app-modes.ts for the modes). /healthz always answers 200 while the process is
// up: like most real health endpoints it is shallow, which is what makes some 502s puzzling.
// stdout and stderr go to /var/log/app/app.log (lab-service redirects them), so a crash's stack
// trace lands in the app log the way it would under systemd or docker.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { hostname } from 'node:os';

const HOST = process.env.LAB_APP_HOST ?? '127.0.0.1';
const PORT = Number(process.env.LAB_APP_PORT ?? 8081);
const BACKLOG = Number(process.env.LAB_APP_BACKLOG ?? 511);
const MODE_FILE = process.env.LAB_APP_MODE_FILE ?? '/run/lab-app/mode.json';
const PID_FILE = process.env.LAB_APP_PID_FILE ?? '/run/lab-app/app.pid';
// The alloc mode stops here even without a cgroup limit, so a mistake cannot eat the machine.
const ALLOC_CAP_BYTES = 512 * 1024 * 1024;

const log = (level, msg) => console.log(`${new Date().toISOString()} [${level}] ${msg}`);

function readMode() {
  try {
    return JSON.parse(readFileSync(MODE_FILE, 'utf8'));
  } catch {
    return { mode: 'healthy' };
  }
}

function answer(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/plain',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

const handlers = {
  healthy(req, res) {
    answer(res, 200, `app ok from ${hostname()} ${req.method} ${req.url}\n`);
  },
  slow(req, res, m) {
    const timer = setTimeout(() => handlers.healthy(req, res), Number(m.delayMs ?? 6000));
    res.on('close', () => clearTimeout(timer));
  },
  crash(req) {
    // Thrown outside the handler's stack so nothing catches it: Node prints the trace and exits 1.
    setImmediate(() => {
      throw new Error(`lab-app: simulated crash while handling ${req.method} ${req.url}`);
    });
  },
  exit(req) {
    log('warn', `exiting while handling ${req.method} ${req.url} (mode exit)`);
    process.exit(0);
  },
  reset(req) {
    req.socket.resetAndDestroy();
  },
  'huge-header'(req, res, m) {
    // ~16 KB Set-Cookie: bigger than nginx's default proxy_buffer_size (one 4k/8k page).
    res.setHeader('Set-Cookie', `session=${'x'.repeat(Number(m.bytes ?? 16384))}; Path=/`);
    handlers.healthy(req, res);
  },
  'keepalive-race'(req, res) {
    // The losing side of the keepalive race, made deterministic: a request that arrives on a reused
    // (kept-alive) connection finds the app closing that connection, as if its idle timeout fired
    // just as nginx sent the request. The first request of each connection is answered normally.
    req.socket.labRequests = (req.socket.labRequests ?? 0) + 1;
    if (req.socket.labRequests > 1) {
      log('info', 'closing idle keep-alive connection (keepAliveTimeout reached)');
      req.socket.destroy();
      return;
    }
    handlers.healthy(req, res);
  },
  status(_req, res, m) {
    const status = Number(m.status ?? 502);
    answer(res, status, `lab-app: my own upstream failed (answering ${status} myself)\n`, {
      Server: 'lab-app',
    });
  },
  'invalid-header'(req) {
    // A NUL byte inside a header name: nginx's parser rejects the response (ngx_http_parse_header_line).
    req.socket.end('HTTP/1.1 200 OK\r\nX-Lab\0Broken: 1\r\nContent-Length: 3\r\n\r\nok\n');
  },
  alloc(_req, res, m) {
    const chunk = Number(m.chunkMb ?? 16) * 1024 * 1024;
    const hog = [];
    let total = 0;
    log('warn', `allocating memory in ${chunk} byte chunks (mode alloc)`);
    const timer = setInterval(() => {
      hog.push(Buffer.alloc(chunk, 1)); // filled, so the pages are really resident
      total += chunk;
      if (total >= ALLOC_CAP_BYTES) {
        clearInterval(timer);
        hog.length = 0;
        answer(res, 500, 'lab-app: alloc cap reached without being killed (no memory limit?)\n');
      }
    }, 20);
  },
  'reject-body'(req, res, m) {
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > Number(m.maxBytes ?? 65536)) {
      log('warn', `request body of ${length} bytes is over the limit: closing the connection`);
      req.socket.resetAndDestroy();
      return;
    }
    handlers.healthy(req, res);
  },
};

const server = http.createServer((req, res) => {
  const started = Date.now();
  res.on('finish', () => log('info', `${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
  if (req.url === '/healthz' || req.url?.endsWith('/healthz')) {
    answer(res, 200, 'ok\n');
    return;
  }
  const m = readMode();
  const handler = handlers[m.mode] ?? handlers.healthy;
  if (m.mode !== 'healthy') log('info', `${req.method} ${req.url} handled in mode ${m.mode}`);
  // Bodies are drained so that only the reject-body mode leaves unread data behind.
  if (m.mode !== 'reject-body') req.resume();
  handler(req, res, m);
});
// Longer than nginx's upstream keepalive_timeout (60 s): the healthy app never races nginx.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0;

server.listen({ host: HOST, port: PORT, backlog: BACKLOG }, () => {
  writeFileSync(PID_FILE, `${process.pid}\n`);
  log('info', `lab-app listening on ${HOST}:${PORT} (pid ${process.pid}, backlog ${BACKLOG})`);
});
server.on('error', (err) => {
  log('error', `cannot listen on ${HOST}:${PORT}: ${err.message}`);
  process.exit(1);
});
process.on('SIGTERM', () => {
  log('info', 'SIGTERM: shutting down');
  process.exit(0);
});
process.on('exit', (code) => log(code === 0 ? 'info' : 'error', `process exiting with code ${code}`));
