import { css } from 'lit';

/**
 * The console's one stylesheet, adopted by every component's shadow root: colour tokens for
 * light and dark (prefers-color-scheme), forms, buttons, tables, messages. Layout is fluid from
 * 375 px (one column, tables scroll sideways inside their box) to wide screens.
 */
export const shared = css`
  :host {
    --bg: #f6f7f9;
    --surface: #ffffff;
    --text: #1a1d23;
    --muted: #4f5663;
    --border: #c9ced6;
    --accent: #1d4ed8;
    --accent-text: #ffffff;
    --danger: #b42318;
    --danger-bg: #fdecea;
    --warn: #8a4b00;
    --warn-bg: #fff4e0;
    --ok: #146c2e;
    --ok-bg: #e7f6ec;
    --focus: #f59e0b;
    --radius: 6px;
    color: var(--text);
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    font-size: 1rem;
    line-height: 1.45;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --bg: #0f1115;
      --surface: #181b21;
      --text: #e8ebf0;
      --muted: #aab1bd;
      --border: #3a404b;
      --accent: #8fb0ff;
      --accent-text: #0b1020;
      --danger: #ff9b8f;
      --danger-bg: #3a1715;
      --warn: #ffc266;
      --warn-bg: #33240d;
      --ok: #7ddc97;
      --ok-bg: #12301c;
      --focus: #fbbf24;
    }
  }
  * { box-sizing: border-box; }
  h1, h2, h3 { line-height: 1.2; margin: 0 0 0.75rem; }
  h1 { font-size: 1.5rem; }
  h2 { font-size: 1.2rem; margin-top: 1.5rem; }
  h3 { font-size: 1.05rem; margin-top: 1rem; }
  h1:focus, h2:focus { outline: none; }
  .card > h2:first-child, .card > h2:first-of-type, dialog h2 { margin-top: 0; }
  p { margin: 0 0 0.75rem; }
  a { color: var(--accent); }
  :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
  .card {
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 1rem;
    margin: 0 0 1rem;
  }
  .muted, .help { color: var(--muted); font-size: 0.9rem; }
  .help { display: block; margin-top: 0.2rem; }
  .row { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-end; }
  .row > .field { flex: 1 1 12rem; }
  .field { display: flex; flex-direction: column; margin: 0 0 0.9rem; min-width: 0; }
  label, legend { font-weight: 600; }
  fieldset { border: 1px solid var(--border); border-radius: var(--radius); margin: 0 0 0.9rem; padding: 0.6rem 0.9rem; min-width: 0; }
  fieldset label, .check label { font-weight: 400; }
  .check { display: flex; gap: 0.5rem; align-items: flex-start; margin: 0.3rem 0; }
  .check input { margin-top: 0.25rem; }
  input[type='text'], input[type='password'], input[type='number'], input[type='date'], input[type='url'], input[type='search'], select, textarea {
    font: inherit;
    color: var(--text);
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 0.45rem 0.6rem;
    min-height: 2.5rem;
    width: 100%;
    max-width: 100%;
  }
  input[type='file'] { font: inherit; color: var(--text); max-width: 100%; }
  textarea { min-height: 5rem; font-family: ui-monospace, monospace; font-size: 0.9rem; }
  [aria-invalid='true'] { border-color: var(--danger); border-width: 2px; }
  .error { color: var(--danger); font-size: 0.9rem; margin-top: 0.25rem; }
  button, .button {
    font: inherit;
    font-weight: 600;
    border-radius: var(--radius);
    border: 1px solid var(--accent);
    background: var(--accent);
    color: var(--accent-text);
    padding: 0.45rem 0.9rem;
    min-height: 2.5rem;
    cursor: pointer;
    text-decoration: none;
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
  }
  button.secondary, .button.secondary { background: transparent; color: var(--accent); }
  button.danger { background: transparent; color: var(--danger); border-color: var(--danger); }
  button.link { background: none; border: none; color: var(--accent); padding: 0.2rem; min-height: auto; text-decoration: underline; font-weight: 400; }
  button[disabled] { opacity: 0.55; cursor: not-allowed; }
  .actions { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; margin-top: 0.75rem; }
  .table-wrap { position: relative; overflow-x: auto; border: 1px solid var(--border); border-radius: var(--radius); background: var(--surface); }
  table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
  caption { text-align: left; padding: 0.5rem 0.75rem; color: var(--muted); font-size: 0.9rem; }
  th, td { text-align: left; padding: 0.5rem 0.75rem; border-top: 1px solid var(--border); vertical-align: top; }
  thead th { border-top: none; background: var(--bg); font-weight: 600; white-space: nowrap; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.85rem; border: 1px solid var(--border); white-space: nowrap; }
  .badge.active { color: var(--ok); border-color: var(--ok); }
  .badge.failed, .badge.inactive { color: var(--muted); }
  .badge.failed { color: var(--danger); border-color: var(--danger); }
  .alert { border-radius: var(--radius); padding: 0.6rem 0.8rem; margin: 0 0 0.9rem; border: 1px solid; }
  .alert.error { background: var(--danger-bg); color: var(--danger); border-color: var(--danger); font-size: 1rem; }
  .alert.warn { background: var(--warn-bg); color: var(--warn); border-color: var(--warn); }
  .alert.ok { background: var(--ok-bg); color: var(--ok); border-color: var(--ok); }
  .alert ul { margin: 0.3rem 0 0; padding-left: 1.2rem; }
  .bang { color: var(--danger); font-weight: 800; margin-left: 0.35rem; }
  .visually-hidden {
    position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; margin: -1px; padding: 0; border: 0;
  }
  progress { width: 100%; height: 1rem; accent-color: var(--accent); }
  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 0; }
  dl.facts dt { font-weight: 600; }
  dl.facts dd { margin: 0; }
  .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.75rem; margin: 0 0 1rem; padding: 0; list-style: none; }
  .stats li { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 0.6rem 0.8rem; }
  .stats .value { display: block; font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; }
  .secret { font-family: ui-monospace, monospace; word-break: break-all; background: var(--bg); padding: 0.5rem; border-radius: var(--radius); border: 1px dashed var(--border); display: block; }
  @media (max-width: 600px) {
    .card { padding: 0.75rem; }
    th, td { padding: 0.45rem 0.5rem; }
    h1 { font-size: 1.3rem; }
  }
`;
