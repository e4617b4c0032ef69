import { LitElement, html, css, nothing } from 'lit';
import { admin, type Job } from './api.js';
import { PollController } from './controllers.js';
import { parseCsv } from './csv.js';
import { announce } from './events.js';
import { t } from './messages.js';
import { shared } from './shared.styles.js';

const SHOWN_ERRORS = 20;

/**
 * @summary The progress of a job (an eligible-users upload, a code set, a member import):
 * polls `GET /admin/v1/jobs/{id}` until it ends, then shows its failed rows (the first ones
 * from `errors.csv`, with the whole file to download).
 *
 * @attr job-id - The job to follow.
 * @fires job-done - The job ended; `detail` is the job.
 */
export class JobProgress extends LitElement {
  static override styles = [shared, css`:host { display: block; }`];
  static override properties = {
    jobId: { type: String, attribute: 'job-id' },
    _job: { state: true },
    _errors: { state: true },
  };
  declare jobId: string;
  declare _job: Job | null;
  declare _errors: string[][] | null;
  private poll = new PollController(this, (signal) => this.refresh(signal), 400);

  constructor() {
    super();
    this.jobId = '';
    this._job = null;
    this._errors = null;
  }

  private async refresh(signal: AbortSignal): Promise<boolean> {
    if (!this.jobId) return true;
    const job = await admin.get<Job>(`/jobs/${encodeURIComponent(this.jobId)}`, signal);
    this._job = job;
    if (job.status === 'succeeded' || job.status === 'failed') {
      // The failed rows are read once they are all there (a few more ticks if the file lags).
      if (job.failed > 0 && !(await this.loadErrors(signal, job.failed)) && this.errorReads++ < 10) return true;
      announce(this, t.jobDone(job.failed));
      this.dispatchEvent(new CustomEvent('job-done', { detail: job, bubbles: true, composed: true }));
      return false;
    }
    return true;
  }

  private errorReads = 0;

  /** Reads errors.csv; answers whether it held the job's failed rows. */
  private async loadErrors(signal: AbortSignal, failed: number): Promise<boolean> {
    const res = await fetch(`/admin/v1/jobs/${encodeURIComponent(this.jobId)}/errors.csv`, { credentials: 'same-origin', signal, cache: 'no-store' });
    if (!res.ok || !res.body) return false;
    // Only the first rows are shown: read the head of the file, not all of it.
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.length > 64_000 || text.split('\n').length > SHOWN_ERRORS + 2) {
        await reader.cancel();
        text = text.slice(0, text.lastIndexOf('\n') + 1);
        break;
      }
    }
    const rows = parseCsv(text).slice(1).filter((r) => r.length > 1 || r[0] !== '');
    this._errors = rows;
    return rows.length >= Math.min(failed, SHOWN_ERRORS);
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('jobId') && this.jobId) {
      this._job = null;
      this._errors = null;
      this.errorReads = 0;
      this.poll.stop();
      this.poll.start();
    }
  }

  override render() {
    const job = this._job;
    const done = job && (job.status === 'succeeded' || job.status === 'failed');
    const csv = `/admin/v1/jobs/${encodeURIComponent(this.jobId)}/errors.csv`;
    return html`
      <section class="card" aria-labelledby="job-h">
        <h3 id="job-h">${t.jobTitle}</h3>
        ${!job
          ? html`<p role="status">${t.loading}</p>`
          : html`
              <progress max=${Math.max(job.total, 1)} .value=${done ? Math.max(job.total, 1) : job.processed} aria-label=${t.jobTitle}></progress>
              <p class="job-status" role="status">
                <strong>${t.jobStatus[job.status] ?? job.status}</strong>: ${t.jobProgress(job.processed, job.total, job.failed)}
              </p>
              ${done ? html`<p>${t.jobDone(job.failed)}</p>` : nothing}
            `}
        ${job && job.failed > 0 && done
          ? html`
              <h4>${t.jobFailedRows}</h4>
              <p><a href=${csv} download>${t.downloadFailedRows}</a></p>
              ${this._errors
                ? html`<div class="table-wrap">
                    <table class="job-errors">
                      <thead><tr><th scope="col" class="num">${t.colLine}</th><th scope="col">${t.colReason}</th><th scope="col">${t.colRow}</th></tr></thead>
                      <tbody>
                        ${this._errors.slice(0, SHOWN_ERRORS).map(
                          (r) => html`<tr><td class="num">${r[0]}</td><td>${r[1]}</td><td><code>${r[2]}</code></td></tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>
                  ${job.failed > Math.min(this._errors.length, SHOWN_ERRORS) ? html`<p class="muted">${t.moreFailedRows(job.failed - Math.min(this._errors.length, SHOWN_ERRORS))}</p>` : nothing}`
                : nothing}
            `
          : nothing}
      </section>
    `;
  }
}
