import { defineProbe, type NoEvidence, plural } from '../record.js';

export interface ProcessRow {
  pid: number;
  ppid: number;
  user: string;
  ageS: number;
  /** ps %CPU: CPU time over the process's whole life. */
  pcpu: number;
  stat: string;
  args: string;
  /** The row as ps printed it, for verbatim evidence. */
  line: string;
}

export const processesProbe = defineProbe({
  id: 'processes',
  title: 'Processes (nginx, app servers)',
  // %CPU and state too, so that the busiest processes of the CPU sample need no second ps.
  script: 'ps -eo pid=,ppid=,user=,etimes=,pcpu=,stat=,args= 2>&1',
  privileged: false,
  maxBytes: 2_000_000,
  parse: (stdout) => parseProcesses(stdout),
  check: (rows) => {
    const master = rows.find(isNginxMaster);
    const workers = rows.filter(isNginxWorker).length;
    return master
      ? { status: 'ok', summary: `nginx master pid ${master.pid}, ${plural(workers, 'worker')}` }
      : { status: 'fail', summary: 'no nginx master process' };
  },
  // The rows are read by the nginx, service, listener and CPU parts (nginx-config, services, sockets, system).
  evidence: (): NoEvidence => ({}),
});

/** nginx retitles its processes: `nginx: master process ...`, `nginx: worker process`. */
export const isNginxMaster = (p: Pick<ProcessRow, 'args'>): boolean => p.args.startsWith('nginx: master');
export const isNginxWorker = (p: Pick<ProcessRow, 'args'>): boolean => p.args.startsWith('nginx: worker');

export function parseProcesses(stdout: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+([\d.]+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!m) continue;
    rows.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      user: m[3] ?? '',
      ageS: Number(m[4]),
      pcpu: Number(m[5]),
      stat: m[6] ?? '',
      args: m[7] ?? '',
      line: line.trim(),
    });
  }
  return rows;
}
