import { readFileSync } from 'node:fs';
import { round } from './stats.js';

/** Clock ticks per second of /proc/PID/stat's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** A process's memory as `/proc/PID/status` tells it, in whole MiB. */
export interface ProcessMemory {
  /** VmRSS: resident now. */
  readonly rssMiB: number;
  /** VmHWM: the peak resident size so far. */
  readonly hwmMiB: number;
}

/** VmRSS and VmHWM of process `pid` in KiB (Linux only). */
function residentKiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** Reads VmRSS and VmHWM of process `pid`, rounded to whole MiB. */
export function processMemory(pid: number): ProcessMemory {
  const { rss, hwm } = residentKiB(pid);
  return { rssMiB: Math.round(rss / 1024), hwmMiB: Math.round(hwm / 1024) };
}

/** A process's resident memory now and at its peak, in MiB to two decimals. */
export function memoryMiB(pid: number): { rssMiB: number; peakRssMiB: number } {
  const { rss, hwm } = residentKiB(pid);
  return { rssMiB: round(rss / 1024, 2), peakRssMiB: round(hwm / 1024, 2) };
}

/** CPU seconds (user + system) process `pid` has used so far, from `/proc/PID/stat` (Linux only). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The share of one core a process used over `seconds` of wall time, in percent. */
export async function cpuPercentOver(pid: number, seconds: number): Promise<number> {
  const cpu0 = processCpuSeconds(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wall = (performance.now() - t0) / 1000;
  return round(((processCpuSeconds(pid) - cpu0) / wall) * 100, 2);
}
