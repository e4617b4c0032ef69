import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { SESSION_ENDED, admin, session, type Tenant, ApiError } from './api.js';
import { ANNOUNCE, NAVIGATE, SIGNED_IN } from './events.js';
import { t } from './messages.js';
import { shared } from './shared.styles.js';

type Phase = 'checking' | 'signed-out' | 'signed-in';

/** A parsed `#/…` route. */
export interface Route {
  view: 'offers' | 'offer-new' | 'offer' | 'catalog' | 'groups' | 'exports' | 'settings';
  id?: string;
  /** The query of the route (`#/offers?status=active&code=SPRING`). */
  query?: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'offers':
      if (parts[1] === 'new') return { view: 'offer-new' };
      if (parts[1]) return { view: 'offer', id: decodeURIComponent(parts[1]) };
      return { view: 'offers', query: new URLSearchParams(search) };
    case 'catalog':
    case 'groups':
    case 'exports':
    case 'settings':
      return { view: parts[0] };
    default:
      return { view: 'offers' };
  }
}

const NAV: { view: Route['view']; href: string; label: string }[] = [
  { view: 'offers', href: '#/offers', label: t.navOffers },
  { view: 'catalog', href: '#/catalog', label: t.navCatalog },
  { view: 'groups', href: '#/groups', label: t.navGroups },
  { view: 'exports', href: '#/exports', label: t.navExports },
  { view: 'settings', href: '#/settings', label: t.navSettings },
];

const FALLBACK_TENANT: Tenant = { id: '', name: '', time_zone: 'UTC', allowed_origins: [], checkout_hold_minutes: 30 };

/**
 * @summary The publisher console: the session (sign-in / sign-out), the navigation between
 * sections and the hash router (`#/offers`, `#/offers/new`, `#/offers/{id}`, `#/catalog`,
 * `#/groups`, `#/exports`, `#/settings`). It owns the one polite live region every view
 * announces through (`console:announce`) and moves focus to each new view's heading.
 */
export class ConsoleApp extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; min-height: 100vh; background: var(--bg); }
      header { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; justify-content: space-between; padding: 0.6rem 1rem; background: var(--surface); border-bottom: 1px solid var(--border); }
      .brand { font-weight: 700; font-size: 1.1rem; margin: 0; }
      nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem; list-style: none; margin: 0; padding: 0; }
      nav a { display: inline-block; padding: 0.4rem 0.7rem; border-radius: var(--radius); text-decoration: none; color: var(--text); }
      nav a[aria-current='page'] { background: var(--accent); color: var(--accent-text); }
      .who { display: flex; gap: 0.6rem; align-items: center; }
      main { max-width: 80rem; margin: 0 auto; padding: 1rem; }
      .skip { position: absolute; left: -999px; top: 0; background: var(--surface); padding: 0.5rem; }
      .skip:focus { left: 0.5rem; z-index: 10; }
      @media (max-width: 600px) { main { padding: 0.6rem; } header { padding: 0.5rem; } }
    `,
  ];

  static override properties = {
    _phase: { state: true },
    _tenant: { state: true },
    _route: { state: true },
    _notice: { state: true },
    _announcement: { state: true },
  };

  declare _phase: Phase;
  declare _tenant: Tenant;
  declare _route: Route;
  declare _notice: string;
  declare _announcement: string;
  private focusOnRender = false;

  constructor() {
    super();
    this._phase = 'checking';
    this._tenant = FALLBACK_TENANT;
    this._route = parseRoute(location.hash);
    this._notice = '';
    this._announcement = '';
  }

  private readonly onHash = () => {
    this._route = parseRoute(location.hash);
    this.focusOnRender = true;
  };
  private readonly onSessionEnded = () => {
    if (this._phase !== 'signed-in') return;
    this._phase = 'signed-out';
    this._notice = t.sessionEnded;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    window.addEventListener(SESSION_ENDED, this.onSessionEnded);
    this.addEventListener(ANNOUNCE, (e) => this.say(e.detail.message));
    this.addEventListener(NAVIGATE, (e) => {
      location.hash = e.detail.route;
    });
    this.addEventListener(SIGNED_IN, (e) => {
      this.sessionTenant = e.detail?.tenant ?? null;
      void this.startSession();
    });
    void this.checkSession();
  }

  override disconnectedCallback(): void {
    window.removeEventListener('hashchange', this.onHash);
    window.removeEventListener(SESSION_ENDED, this.onSessionEnded);
    super.disconnectedCallback();
  }

  private say(message: string): void {
    // Clear first so the same sentence twice is announced twice.
    this._announcement = '';
    requestAnimationFrame(() => (this._announcement = message));
  }

  private sessionTenant: { id: string; name: string } | null = null;

  private async checkSession(): Promise<void> {
    try {
      const s = await session.get();
      this.sessionTenant = (s.tenant as { id: string; name: string } | undefined) ?? null;
      await this.startSession();
    } catch {
      this._phase = 'signed-out';
    }
  }

  private async startSession(): Promise<void> {
    this._notice = '';
    try {
      this._tenant = await admin.get<Tenant>('/tenant');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        this._phase = 'signed-out';
        return;
      }
      // Tenant settings not served: the session's name, days in UTC.
      this._tenant = { ...FALLBACK_TENANT, ...(this.sessionTenant ?? {}) };
    }
    this._phase = 'signed-in';
    this.focusOnRender = true;
  }

  private async signOut(): Promise<void> {
    try {
      await session.end();
    } catch {
      /* the cookie is gone either way once the server forgets the session */
    }
    this._phase = 'signed-out';
    this._notice = t.signedOut;
    this.say(t.signedOut);
  }

  protected override async updated(changed: PropertyValues): Promise<void> {
    if (changed.has('_tenant') && this._tenant.name) document.title = `${t.appName} · ${this._tenant.name}`;
    if (!this.focusOnRender || this._phase !== 'signed-in') return;
    this.focusOnRender = false;
    const view = this.renderRoot.querySelector('main > *') as LitElement | null;
    await view?.updateComplete;
    const heading = view?.shadowRoot?.querySelector<HTMLElement>('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }

  private renderView() {
    const r = this._route;
    const tenant = this._tenant;
    switch (r.view) {
      case 'offer-new':
        return html`<offer-wizard .tenant=${tenant}></offer-wizard>`;
      case 'offer':
        return html`<offer-details .tenant=${tenant} offer-id=${r.id!}></offer-details>`;
      case 'catalog':
        return html`<catalog-view .tenant=${tenant}></catalog-view>`;
      case 'groups':
        return html`<groups-view .tenant=${tenant}></groups-view>`;
      case 'exports':
        return html`<exports-view></exports-view>`;
      case 'settings':
        return html`<settings-view .tenant=${tenant} @tenant-changed=${(e: CustomEvent<Tenant>) => (this._tenant = e.detail)}></settings-view>`;
      default:
        return html`<offers-table .tenant=${tenant}></offers-table>`;
    }
  }

  override render() {
    const live = html`<div class="visually-hidden" role="status" aria-live="polite">${this._announcement}</div>`;
    if (this._phase === 'checking') return html`<main><p role="status">${t.loading}</p></main>`;
    if (this._phase === 'signed-out') {
      return html`<main><sign-in-form .notice=${this._notice}></sign-in-form></main>${live}`;
    }
    const active = this._route.view === 'offer' || this._route.view === 'offer-new' ? 'offers' : this._route.view;
    return html`
      <a class="skip" href="#main" @click=${(e: Event) => {
        e.preventDefault();
        (this.renderRoot.querySelector('main') as HTMLElement | null)?.focus();
      }}>${t.skipToContent}</a>
      <header>
        <p class="brand">${t.appName}</p>
        <nav aria-label=${t.nav}>
          <ul>
            ${NAV.map((n) => html`<li><a href=${n.href} aria-current=${n.view === active ? 'page' : nothing}>${n.label}</a></li>`)}
          </ul>
        </nav>
        <div class="who">
          ${this._tenant.name ? html`<span class="muted">${t.signedInAs(this._tenant.name)}</span>` : nothing}
          <button class="secondary" @click=${() => void this.signOut()}>${t.signOut}</button>
        </div>
      </header>
      <main id="main" tabindex="-1">${this.renderView()}</main>
      ${live}
    `;
  }
}
