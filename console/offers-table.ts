import { LitElement, html, css, nothing } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { OFFER_STATUSES, admin, type Offer, type OfferStatus, type Page, type Tenant } from './api.js';
import { loadCatalog, type Catalog } from './catalog.js';
import { PollController } from './controllers.js';
import { announce, navigate } from './events.js';
import { count, formatDiscount, shortDate } from './format.js';
import { explain, t } from './messages.js';
import { shared } from './shared.styles.js';
import { ApiError } from './api.js';

export const PAGE_SIZE = 50;
/** How often the counts of the page shown are refreshed. */
export const LIVE_MS = 3_000;

export function offerLabel(o: Pick<Offer, 'code' | 'code_set' | 'id'>): string {
  if (o.code) return o.code;
  if (o.code_set) return t.codeSetLabel(o.code_set.count, o.code_set.prefix);
  return o.id;
}

export function productsLabel(o: Offer, catalog: Catalog | null): string {
  if (o.applies_to.all_products) return t.allProducts;
  return o.applies_to.product_ids.map((id) => catalog?.productName(id) ?? id).join(', ');
}

/**
 * @summary The offers table: code, products, discount, validity, users availed, redemptions and
 * status, a page at a time from `GET /admin/v1/offers` (server-side paging, `status` filter,
 * `code` search). The page shown refreshes its counts every few seconds. A "!" beside Details
 * marks an offer whose upload or code-set job has failed rows, with those rows' CSV.
 */
export class OffersTable extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      .toolbar { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-end; justify-content: space-between; margin-bottom: 0.75rem; }
      .filters { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-end; }
      .filters .field { margin: 0; min-width: 11rem; }
      form.search { display: flex; gap: 0.4rem; align-items: flex-end; }
      form.search .field { margin: 0; }
      td.code { font-family: ui-monospace, monospace; font-weight: 600; }
      .pager { display: flex; gap: 0.5rem; justify-content: flex-end; margin-top: 0.75rem; }
      .failed-links { display: block; font-size: 0.85rem; }
    `,
  ];

  static override properties = {
    tenant: { attribute: false },
    _status: { state: true },
    _code: { state: true },
    _cursors: { state: true },
    _live: { state: true },
  };
  declare tenant: Tenant;
  declare _status: OfferStatus | '';
  declare _code: string;
  /** Cursors of the pages before the one shown (`null` = the first page). */
  declare _cursors: (string | null)[];
  /** The last silent refresh of the page shown. */
  declare _live: Page<Offer> | null;

  constructor() {
    super();
    this._status = '';
    this._code = '';
    this._cursors = [null];
    this._live = null;
  }

  /** Reads the filter from the address (`#/offers?status=active&code=SPRING`). */
  private readonly fromAddress = () => {
    const [path = '', search = ''] = location.hash.replace(/^#\/?/, '').split('?');
    if (path !== 'offers' && path !== '') return;
    const q = new URLSearchParams(search);
    const status = (OFFER_STATUSES as string[]).includes(q.get('status') ?? '') ? (q.get('status') as OfferStatus) : '';
    const code = q.get('code') ?? '';
    if (status !== this._status || code !== this._code) {
      this._status = status;
      this._code = code;
      this._cursors = [null];
    }
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.fromAddress();
    window.addEventListener('hashchange', this.fromAddress);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.fromAddress);
    super.disconnectedCallback();
  }

  /** Keeps the filter in the address (without a history entry), so Back from details restores it. */
  private remember(): void {
    const q = new URLSearchParams();
    if (this._status) q.set('status', this._status);
    if (this._code) q.set('code', this._code);
    const hash = `#/offers${q.size ? `?${q}` : ''}`;
    if (location.hash !== hash) history.replaceState(history.state, '', hash);
  }

  private query(): string {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (this._status) q.set('status', this._status);
    if (this._code) q.set('code', this._code);
    const cursor = this._cursors[this._cursors.length - 1];
    if (cursor) q.set('starting_after', cursor);
    return q.toString();
  }

  private pageTask = new Task(this, {
    task: async ([query], { signal }): Promise<{ page: Page<Offer>; catalog: Catalog | null }> => {
      this._live = null;
      const [page, catalog] = await Promise.all([
        admin.get<Page<Offer>>(`/offers?${query}`, signal),
        loadCatalog(signal).catch(() => null),
      ]);
      return { page, catalog };
    },
    args: () => [this.query()] as const,
  });

  private live = new PollController(
    this,
    async (signal) => {
      if (this.pageTask.status !== TaskStatus.COMPLETE) return; // only refresh a page that is shown
      const query = this.query();
      const page = await admin.get<Page<Offer>>(`/offers?${query}`, signal);
      // A filter or page changed meanwhile: this answer is of another page.
      if (query === this.query() && this.pageTask.status === TaskStatus.COMPLETE) this._live = page;
    },
    LIVE_MS,
  );

  private setStatus(e: Event): void {
    this._status = (e.target as HTMLSelectElement).value as OfferStatus | '';
    this._cursors = [null];
    this.remember();
  }

  private search(e: SubmitEvent): void {
    e.preventDefault();
    const value = new FormData(e.target as HTMLFormElement).get('code');
    this._code = typeof value === 'string' ? value.trim() : '';
    this._cursors = [null];
    this.remember();
  }

  private clearSearch(): void {
    this._code = '';
    this._cursors = [null];
    this.remember();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#code-search');
    if (input) input.value = '';
  }

  private go(delta: 1 | -1, next: string | null): void {
    this._cursors = delta === 1 && next ? [...this._cursors, next] : this._cursors.slice(0, -1);
    this.updateComplete.then(() => announce(this, t.offersTitle));
  }

  private renderRow(o: Offer, catalog: Catalog | null) {
    const tz = this.tenant?.time_zone ?? 'UTC';
    const failed = o.failed_jobs ?? [];
    const label = offerLabel(o);
    return html`<tr data-offer-id=${o.id}>
      <td class="code">${label}</td>
      <td>${productsLabel(o, catalog)}</td>
      <td>${formatDiscount(o.discount)}</td>
      <td>${t.validityRange(shortDate(o.starts_at, tz), shortDate(o.ends_at, tz))}</td>
      <td class="num users-availed">${count(o.users_availed)}</td>
      <td class="num redemptions">${count(o.redemptions)}</td>
      <td><span class="badge ${o.status}">${t.statusLabel[o.status]}</span></td>
      <td>
        <a href=${`#/offers/${encodeURIComponent(o.id)}`} aria-label=${t.detailsOf(label)}>${t.details}</a>${failed.length > 0
          ? html`<span class="bang" title=${t.failedRowsMark}><span aria-hidden="true">!</span><span class="visually-hidden">${t.failedRowsMark}</span></span>
              ${failed.map(
                (j) => html`<a class="failed-links" href=${`/admin/v1/jobs/${encodeURIComponent(j.id)}/errors.csv`} download>${t.downloadFailedRows} (${count(j.failed)})</a>`,
              )}`
          : nothing}
      </td>
    </tr>`;
  }

  override render() {
    return html`
      <h1>${t.offersTitle}</h1>
      <div class="toolbar">
        <div class="filters">
          <div class="field">
            <label for="status">${t.status}</label>
            <select id="status" name="status" @change=${this.setStatus} .value=${this._status}>
              <option value="">${t.allStatuses}</option>
              ${OFFER_STATUSES.map((s) => html`<option value=${s} ?selected=${s === this._status}>${t.statusLabel[s]}</option>`)}
            </select>
          </div>
          <form class="search" role="search" @submit=${this.search}>
            <div class="field">
              <label for="code-search">${t.searchByCode}</label>
              <input id="code-search" name="code" type="search" autocomplete="off" .value=${this._code} />
            </div>
            <button type="submit" class="secondary">${t.search}</button>
            ${this._code ? html`<button type="button" class="link" @click=${this.clearSearch}>${t.clearSearch}</button>` : nothing}
          </form>
        </div>
        <button type="button" class="create-offer" @click=${() => navigate(this, '#/offers/new')}>${t.createOffer}</button>
      </div>
      ${this.pageTask.render({
        pending: () => html`<p role="status">${t.loading}</p>`,
        error: (e) => html`<div class="alert error" role="alert">${explain(e instanceof ApiError ? e : { code: 'network_error', status: 0 })}
          <button class="secondary" @click=${() => this.pageTask.run()}>${t.retry}</button></div>`,
        complete: ({ page: loaded, catalog }) => {
          const page = this._live ?? loaded;
          if (page.data.length === 0) {
            return html`<p class="card" role="status">${this._status || this._code ? t.noOffersMatch : t.noOffers}</p>`;
          }
          return html`
            <div class="table-wrap">
              <table aria-describedby="live-note">
                <caption>${t.offersCaption(page.data.length, page.has_more)}</caption>
                <thead>
                  <tr>
                    <th scope="col">${t.colCode}</th>
                    <th scope="col">${t.colProducts}</th>
                    <th scope="col">${t.colDiscount}</th>
                    <th scope="col">${t.colValidity}</th>
                    <th scope="col" class="num">${t.colUsersAvailed}</th>
                    <th scope="col" class="num">${t.colRedemptions}</th>
                    <th scope="col">${t.colStatus}</th>
                    <th scope="col"><span class="visually-hidden">${t.colActions}</span></th>
                  </tr>
                </thead>
                <tbody>${page.data.map((o) => this.renderRow(o, catalog))}</tbody>
              </table>
            </div>
            <p class="muted" id="live-note">${t.liveCountsNote}</p>
            <nav class="pager" aria-label=${t.offersTitle}>
              <button class="secondary" ?disabled=${this._cursors.length <= 1} @click=${() => this.go(-1, null)}>${t.previousPage}</button>
              <button class="secondary" ?disabled=${!page.has_more} @click=${() => this.go(1, page.next_cursor)}>${t.nextPage}</button>
            </nav>
          `;
        },
      })}
    `;
  }
}
