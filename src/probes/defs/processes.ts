import type { ProbeSpec } from '../types.js';

export interface ProcessRow {
  pid: number;
  ppid: number;
  user: string;
  ageS: number;
  args: string;
}

export const processesProbe: ProbeSpec = {
  id: 'processes',
  title: 'Processes (nginx, app servers)',
  script: 'ps -eo pid=,ppid=,user=,etimes=,args= 2>&1',
  privileged: false,
  maxBytes: 2_000_000,
};

/** nginx retitles its processes: `nginx: master process ...`, `nginx: worker process`. */
export const isNginxMaster = (p: Pick<ProcessRow, 'args'>): boolean => p.args.startsWith('nginx: master');
export const isNginxWorker = (p: Pick<ProcessRow, 'args'>): boolean => p.args.startsWith('nginx: worker');

export function parseProcesses(stdout: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    rows.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      user: m[3] ?? '',
      ageS: Number(m[4]),
      args: m[5] ?? '',
    });
  }
  return rows;
}
