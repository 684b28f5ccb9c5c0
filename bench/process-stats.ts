import { readFileSync } from 'node:fs';

/** A process's memory as `/proc/PID/status` tells it, in MiB. */
export interface ProcessMemory {
  /** VmRSS: resident now. */
  readonly rssMiB: number;
  /** VmHWM: the peak resident size so far. */
  readonly hwmMiB: number;
}

/** Reads VmRSS and VmHWM of process `pid` (Linux only). */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), hwmMiB: Math.round(kib('VmHWM') / 1024) };
}

/** CPU seconds (user + system) process `pid` has used so far, from `/proc/PID/stat` (Linux only). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
