import { css } from 'lit';

/**
 * Styles of `<offer-checkout>`. Everything lives in the shadow root, so page styles do not reach
 * in and these do not leak out; appearance is set only through the `--offer-checkout-*` custom
 * properties and the `::part()` names documented in docs/widget.md. Colours follow the page's
 * `color-scheme` (light or dark) through `light-dark()`, and the card always paints its own
 * background and text so it stays readable on any page.
 */
export const styles = css`
  :host {
    display: block;
    color-scheme: inherit;
    --_bg: var(--offer-checkout-background, light-dark(#ffffff, #171a21));
    --_fg: var(--offer-checkout-color, light-dark(#1a1d23, #eceff4));
    --_muted: var(--offer-checkout-muted-color, light-dark(#545b66, #aeb5c1));
    --_border: var(--offer-checkout-border-color, light-dark(#c9ced6, #3b4250));
    --_accent: var(--offer-checkout-accent-color, light-dark(#1d4ed8, #8fb0ff));
    --_accent-fg: var(--offer-checkout-accent-text-color, light-dark(#ffffff, #0b1020));
    --_selected: var(--offer-checkout-selected-background, light-dark(#eef2ff, #1f2940));
    --_success: var(--offer-checkout-success-color, light-dark(#146c2e, #6ee79a));
    --_danger: var(--offer-checkout-danger-color, light-dark(#b42318, #ff9b8f));
    --_focus: var(--offer-checkout-focus-ring-color, light-dark(#1d4ed8, #8fb0ff));
    --_radius: var(--offer-checkout-radius, 0.5rem);
    --_gap: var(--offer-checkout-spacing, 1rem);
    /* Inherited text properties a page might set are reset so they do not leak in. */
    font-family: var(--offer-checkout-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--offer-checkout-font-size, 1rem);
    font-style: normal;
    font-weight: 400;
    line-height: 1.5;
    letter-spacing: normal;
    word-spacing: normal;
    text-align: start;
    text-indent: 0;
    text-transform: none;
    text-shadow: none;
    white-space: normal;
    color: var(--_fg);
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  .base {
    background: var(--_bg);
    color: var(--_fg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_gap);
    display: grid;
    gap: var(--_gap);
    max-width: var(--offer-checkout-max-width, 32rem);
  }
  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
    min-width: 0;
    display: grid;
    gap: 0.5rem;
  }
  legend {
    font-weight: 600;
    padding: 0;
    margin-bottom: 0.5rem;
  }
  .choice {
    display: grid;
    grid-template-columns: auto 1fr auto;
    align-items: center;
    gap: 0.25rem 0.75rem;
    padding: 0.75rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    cursor: pointer;
  }
  .choice:has(input:checked) {
    border-color: var(--_accent);
    background: var(--_selected);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  .choice:has(input:focus-visible) {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .choice input {
    margin: 0;
    accent-color: var(--_accent);
    width: 1.1em;
    height: 1.1em;
  }
  .choice input:focus-visible {
    outline: none;
  }
  .choice-main {
    display: grid;
  }
  .choice-name {
    font-weight: 600;
  }
  .choice-note,
  .muted {
    color: var(--_muted);
    font-size: 0.875em;
  }
  .choice-price {
    font-weight: 600;
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
  .choice-price .choice-note {
    font-weight: 400;
  }
  .code-form {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.25rem 0.5rem;
  }
  .code-form label {
    grid-column: 1 / -1;
    font-weight: 600;
  }
  input[type='text'] {
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.5rem 0.75rem;
    min-width: 0;
    text-transform: uppercase;
  }
  input[type='text'][aria-invalid='true'] {
    border-color: var(--_danger);
  }
  button {
    font: inherit;
    font-weight: 600;
    border-radius: var(--_radius);
    padding: 0.5rem 1rem;
    cursor: pointer;
    border: 1px solid var(--_accent);
    background: transparent;
    color: var(--_accent);
  }
  button.primary {
    background: var(--_accent);
    color: var(--_accent-fg);
    padding: 0.75rem 1rem;
    width: 100%;
  }
  button.link {
    grid-column: 1 / -1;
    justify-self: start;
    border: 0;
    padding: 0;
    font-weight: 400;
    font-size: 0.875em;
    text-decoration: underline;
  }
  button[aria-disabled='true'] {
    cursor: progress;
    opacity: 0.75;
  }
  input:focus-visible,
  button:focus-visible,
  [tabindex='-1']:focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .code-message {
    grid-column: 1 / -1;
    margin: 0;
    font-size: 0.875em;
  }
  .error {
    color: var(--_danger);
  }
  .ok {
    color: var(--_success);
  }
  .summary {
    margin: 0;
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.25rem 1rem;
    font-variant-numeric: tabular-nums;
  }
  .summary dt {
    color: var(--_muted);
  }
  .summary dd {
    margin: 0;
    text-align: end;
  }
  .summary .due {
    font-weight: 700;
    color: var(--_fg);
    font-size: 1.125em;
  }
  .summary .note {
    grid-column: 1 / -1;
    text-align: start;
    color: var(--_muted);
    font-size: 0.875em;
  }
  .group {
    border: 1px solid var(--_success);
    border-radius: var(--_radius);
    padding: 0.75rem;
    display: grid;
    gap: 0.5rem;
  }
  .group p,
  .success p,
  .problem p {
    margin: 0;
  }
  .title {
    font-weight: 700;
    font-size: 1.125em;
  }
  .divider {
    text-align: center;
    color: var(--_muted);
    font-size: 0.875em;
    margin: 0;
  }
  .problem {
    display: grid;
    gap: 0.5rem;
    justify-items: start;
  }
  .success {
    display: grid;
    gap: 0.25rem;
  }
  .loading {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    color: var(--_muted);
  }
  .spinner {
    width: 1em;
    height: 1em;
    border: 2px solid var(--_border);
    border-top-color: var(--_accent);
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation-duration: 3s;
    }
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
