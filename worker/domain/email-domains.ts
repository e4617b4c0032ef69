/**
 * Email domains of group access. Pure.
 *
 * A group domain is a lower-case DNS name. A verified email qualifies when the part after its
 * last `@` equals a group domain exactly (case-insensitive): `xyz.com.evil.io`, `evilxyz.com`
 * and `mail.xyz.com` never match `xyz.com`.
 */

/** Domains of free and consumer mail services: anyone can have an address there. */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'live.com', 'live.co.uk',
  'msn.com', 'passport.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.co.in', 'yahoo.in', 'yahoo.fr', 'yahoo.de', 'ymail.com',
  'rocketmail.com', 'aol.com', 'aim.com', 'icloud.com', 'me.com', 'mac.com', 'protonmail.com', 'proton.me', 'pm.me',
  'protonmail.ch', 'tutanota.com', 'tuta.io', 'gmx.com', 'gmx.net', 'gmx.de', 'web.de', 'mail.com', 'email.com',
  'zoho.com', 'zohomail.com', 'zohomail.in', 'yandex.com', 'yandex.ru', 'ya.ru', 'mail.ru', 'inbox.ru', 'list.ru', 'bk.ru',
  'rediffmail.com', 'qq.com', '163.com', '126.com', 'sina.com', 'fastmail.com', 'fastmail.fm', 'hey.com', 'hushmail.com',
  'mailinator.com', 'guerrillamail.com', 'yopmail.com', 'tempmail.com', '10minutemail.com', 'temp-mail.org',
  'laposte.net', 'orange.fr', 'free.fr', 'libero.it', 't-online.de', 'seznam.cz', 'naver.com', 'daum.net', 'hanmail.net',
  'comcast.net', 'verizon.net', 'att.net', 'sbcglobal.net', 'btinternet.com', 'sky.com', 'virginmedia.com', 'outlook.in',
  'live.in', 'hotmail.in', 'inbox.com', 'lycos.com', 'mail.yahoo.com', 'duck.com',
]);

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export type DomainDecision =
  | { kind: 'ok'; domain: string }
  | { kind: 'invalid'; code: 'invalid_email_domain' | 'free_mail_domain'; reason: string };

/**
 * Normalises a group domain: trims, lower-cases, drops a leading `@` and a trailing dot.
 * Refuses anything that is not a DNS name with at least two labels, IDN in Unicode form (send
 * it as punycode), wildcards, and free-mail domains.
 */
export function normaliseGroupDomain(input: unknown): DomainDecision {
  if (typeof input !== 'string') return { kind: 'invalid', code: 'invalid_email_domain', reason: 'must be a string' };
  let d = input.trim().toLowerCase();
  if (d.startsWith('@')) d = d.slice(1);
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (d.length === 0) return { kind: 'invalid', code: 'invalid_email_domain', reason: 'must not be empty' };
  if (d.length > 253) return { kind: 'invalid', code: 'invalid_email_domain', reason: 'is too long' };
  const labels = d.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1]!)) {
    return { kind: 'invalid', code: 'invalid_email_domain', reason: `"${input}" is not a domain name like example.com` };
  }
  if (FREE_MAIL_DOMAINS.has(d)) {
    return { kind: 'invalid', code: 'free_mail_domain', reason: `"${d}" is a free mail service: anyone can have an address there` };
  }
  return { kind: 'ok', domain: d };
}

/** The domain of an email (after the last `@`), lower-case, or null when there is none. */
export function emailDomain(email: string | null | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return null;
  let d = email.slice(at + 1).trim().toLowerCase();
  if (d.endsWith('.')) d = d.slice(0, -1);
  return d.length > 0 ? d : null;
}

/**
 * The domain a user's email may qualify with: only a verified email counts.
 */
export function qualifyingDomain(user: { email: string | null; emailVerified: boolean } | null): string | null {
  if (!user || !user.emailVerified) return null;
  return emailDomain(user.email);
}

/** Exact, case-insensitive match of an email against a group domain. */
export function emailMatchesDomain(email: string, groupDomain: string): boolean {
  const d = emailDomain(email);
  return d !== null && d === groupDomain.toLowerCase();
}
