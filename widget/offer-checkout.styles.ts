import { css } from 'lit';

/**
 * Styles of `<offer-checkout>`. Everything lives in the shadow root, so page styles do not reach
 * in (`all: initial` resets every inherited property a page might set) and these do not leak out;
 * appearance is set only through the `--offer-checkout-*` custom properties and the `::part()`
 * names documented in docs/widget.md. Colours follow the page's `color-scheme` through
 * `light-dark()`. Narrow screens (320–375 px): a price never breaks inside itself
 * ("₹1,299.00 / 3 months" stays on one line); it moves under the plan's name instead.
 */
export const styles = css`
  :host {
    all: initial;
    display: block;
    color-scheme: inherit;
    --_b: var(--offer-checkout-background, light-dark(#fff, #171a21));
    --_f: var(--offer-checkout-color, light-dark(#1a1d23, #eceff4));
    --_m: var(--offer-checkout-muted-color, light-dark(#545b66, #aeb5c1));
    --_l: var(--offer-checkout-border-color, light-dark(#c9ced6, #3b4250));
    --_a: var(--offer-checkout-accent-color, light-dark(#1d4ed8, #8fb0ff));
    --_k: var(--offer-checkout-accent-text-color, light-dark(#fff, #0b1020));
    --_s: var(--offer-checkout-selected-background, light-dark(#eef2ff, #1f2940));
    --_g: var(--offer-checkout-success-color, light-dark(#146c2e, #6ee79a));
    --_d: var(--offer-checkout-danger-color, light-dark(#b42318, #ff9b8f));
    --_o: var(--offer-checkout-focus-ring-color, var(--_a));
    --_r: var(--offer-checkout-radius, 0.5rem);
    --_p: var(--offer-checkout-spacing, 1rem);
    font: var(--offer-checkout-font-size, 1rem) / 1.5 var(--offer-checkout-font-family, system-ui, sans-serif);
    color: var(--_f);
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  .base {
    background: var(--_b);
    border: 1px solid var(--_l);
    border-radius: var(--_r);
    padding: var(--_p);
    display: grid;
    gap: var(--_p);
    max-width: var(--offer-checkout-max-width, 32rem);
    overflow-wrap: anywhere;
  }
  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
    min-width: 0;
    display: grid;
    gap: 0.5rem;
  }
  legend,
  label,
  .name,
  .price,
  .title,
  button {
    font-weight: 600;
    padding: 0;
  }
  legend {
    margin-bottom: 0.5rem;
  }
  .choice {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25rem 0.75rem;
    padding: 0.75rem;
    border: 1px solid var(--_l);
    border-radius: var(--_r);
    cursor: pointer;
    font-weight: 400;
  }
  .choice:has(:checked) {
    border-color: var(--_a);
    background: var(--_s);
    box-shadow: inset 0 0 0 1px var(--_a);
  }
  .choice:has(:focus-visible),
  input:focus-visible,
  button:focus-visible,
  [tabindex]:focus-visible {
    outline: 3px solid var(--_o);
    outline-offset: 2px;
  }
  .choice input {
    margin: 0;
    accent-color: var(--_a);
    outline: 0;
  }
  .main {
    display: grid;
    flex: 1 1 8rem;
  }
  .note,
  .muted,
  .msg,
  .link {
    color: var(--_m);
    font-size: 0.875em;
  }
  .price,
  dd {
    white-space: nowrap;
    margin: 0 0 0 auto;
  }
  .code {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.25rem 0.5rem;
  }
  .code label,
  .msg,
  .link,
  .summary .note {
    grid-column: 1 / -1;
  }
  input,
  button {
    font: inherit;
    color: var(--_f);
    background: var(--_b);
    border: 1px solid var(--_l);
    border-radius: var(--_r);
    padding: 0.5rem 0.75rem;
    min-width: 0;
  }
  input {
    text-transform: uppercase;
  }
  [aria-invalid='true'] {
    border-color: var(--_d);
  }
  button {
    cursor: pointer;
    border-color: var(--_a);
    color: var(--_a);
  }
  .primary {
    background: var(--_a);
    color: var(--_k);
    padding: 0.75rem;
    width: 100%;
  }
  .link {
    justify-self: start;
    border: 0;
    padding: 0;
    font-weight: 400;
    text-decoration: underline;
    color: var(--_a);
  }
  [aria-disabled='true'] {
    opacity: 0.75;
  }
  p,
  dl {
    margin: 0;
  }
  .msg:empty {
    display: none;
  }
  .error {
    color: var(--_d);
  }
  .ok {
    color: var(--_g);
  }
  .summary {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.25rem 1rem;
  }
  dt {
    color: var(--_m);
  }
  .due {
    font-weight: 700;
  }
  .summary .note {
    white-space: normal;
    margin: 0;
  }
  .group {
    border: 1px solid var(--_g);
    border-radius: var(--_r);
    padding: 0.75rem;
  }
  .group,
  .act,
  .problem,
  .success {
    display: grid;
    gap: 0.5rem;
    justify-items: start;
  }
  .act {
    justify-items: stretch;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
