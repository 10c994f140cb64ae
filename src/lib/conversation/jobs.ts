/**
 * Background jobs that must survive a reload: for each running turn, the response id and the last
 * `sequence_number` seen, in localStorage, so the app can resume with `GET /responses/{id}?stream=true&starting_after=N`.
 */
export interface JobRecord {
  turnId: string;
  responseId: string;
  lastSeq: number;
  /** The server the job runs on (a job is only resumed against the same base URL). */
  baseUrl: string;
  startedAt: number;
}

import { JOBS_KEY } from './keys';

export { JOBS_KEY };

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const isJob = (v: unknown): v is JobRecord => {
  const r = v as Partial<JobRecord> | null;
  return (
    !!r &&
    typeof r.turnId === 'string' &&
    typeof r.responseId === 'string' &&
    typeof r.lastSeq === 'number' &&
    typeof r.baseUrl === 'string'
  );
};

export class JobStore {
  constructor(
    private readonly storage: Store | null,
    private readonly key = JOBS_KEY,
  ) {}

  all(): JobRecord[] {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(this.key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isJob) : [];
    } catch {
      return [];
    }
  }

  get(turnId: string): JobRecord | null {
    return this.all().find((j) => j.turnId === turnId) ?? null;
  }

  put(job: JobRecord): void {
    this.write([...this.all().filter((j) => j.turnId !== job.turnId), job]);
  }

  /** Records progress; never moves backwards. */
  advance(turnId: string, lastSeq: number): void {
    const jobs = this.all();
    const job = jobs.find((j) => j.turnId === turnId);
    if (!job || lastSeq <= job.lastSeq) return;
    job.lastSeq = lastSeq;
    this.write(jobs);
  }

  remove(turnId: string): void {
    const jobs = this.all();
    if (jobs.some((j) => j.turnId === turnId)) this.write(jobs.filter((j) => j.turnId !== turnId));
  }

  private write(jobs: JobRecord[]): void {
    try {
      if (jobs.length) this.storage?.setItem(this.key, JSON.stringify(jobs));
      else this.storage?.removeItem(this.key);
    } catch {
      // Storage full or blocked: the job still runs, it just cannot be resumed after a reload.
    }
  }
}
