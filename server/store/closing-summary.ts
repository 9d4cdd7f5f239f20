import type { ClosingReport } from './job-store.js';

/** The shutdown's last log line: what the job store really holds for the next start, and what it could not write. */
export function closingSummary(report: ClosingReport | undefined): string {
  const fault = report?.fault ? ` (${report.fault.code}: ${report.fault.message})` : '';
  const jobs =
    report?.jobsOnDisk === undefined
      ? `the jobs waiting on disk could not be counted${fault}`
      : `${report.jobsOnDisk} job(s) wait on disk for the next start`;
  const unsaved =
    report && report.unsaved > 0
      ? `; ${report.unsaved} finished job(s) could not be written to history${fault}: on disk they are still queued, and run again on the next start`
      : '';
  return `stopped; ${jobs}${unsaved}`;
}
