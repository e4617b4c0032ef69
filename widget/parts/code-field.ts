/** The promo code form: a labelled text box, Apply, what became of the code, and Remove. */
import { html, nothing } from 'lit';
import type { Format } from '../format.js';

export type Message = { ok: boolean; text: string } | null;

export const message = (m: Message, id: string) =>
  html`<p id=${id} part=${id} class="msg ${m ? (m.ok ? 'ok' : 'error') : ''}">${m?.text ?? ''}</p>`;

export const codeField = (
  f: Format,
  draft: string,
  msg: Message,
  applied: string | null,
  on: { input(value: string): void; apply(): void; remove(): void },
) =>
  html`<form
    class="code"
    part="code-form"
    novalidate
    @submit=${(e: Event) => {
      e.preventDefault();
      on.apply();
    }}
  >
    <label for="code">${f.t.promoCode}</label>
    <input
      id="code"
      type="text"
      part="code-input"
      autocomplete="off"
      autocapitalize="characters"
      spellcheck="false"
      maxlength="64"
      aria-invalid=${msg && !msg.ok ? 'true' : 'false'}
      aria-describedby="code-message"
      .value=${draft}
      @input=${(e: Event) => on.input((e.target as HTMLInputElement).value)}
    />
    <button type="submit" part="apply-button">${f.t.apply}</button>
    ${message(msg, 'code-message')}
    ${applied
      ? html`<button type="button" class="link" part="remove-code-button" @click=${on.remove}>${f.t.removeCode(applied)}</button>`
      : nothing}
  </form>`;
