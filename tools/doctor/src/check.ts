/** One line of the doctor's report: ok, a warning that lets the shop run, or a failure with what to do. */
export interface CheckResult {
  readonly status: 'ok' | 'warn' | 'fail';
  readonly subject: string;
  /** What was found, and for a warning or failure what to do about it. */
  readonly detail: string;
}

export const ok = (subject: string, detail: string): CheckResult => ({ status: 'ok', subject, detail });
export const warn = (subject: string, detail: string): CheckResult => ({ status: 'warn', subject, detail });
export const fail = (subject: string, detail: string): CheckResult => ({ status: 'fail', subject, detail });

export function formatResult(result: CheckResult): string {
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' }[result.status];
  return `${mark}  ${result.subject}: ${result.detail}`;
}
