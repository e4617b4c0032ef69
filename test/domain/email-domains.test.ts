import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emailDomain, emailMatchesDomain, normaliseGroupDomain, qualifyingDomain } from '../../worker/domain/email-domains';

describe('group email domains', () => {
  it('normalises case, a leading @ and a trailing dot', () => {
    expect(normaliseGroupDomain(' XYZ.com ')).toEqual({ kind: 'ok', domain: 'xyz.com' });
    expect(normaliseGroupDomain('@xyz.co.uk.')).toEqual({ kind: 'ok', domain: 'xyz.co.uk' });
  });

  it('refuses free-mail domains and non-domains', () => {
    for (const d of ['gmail.com', 'Outlook.com', '@hotmail.com', 'yahoo.co.in', 'proton.me']) {
      expect(normaliseGroupDomain(d)).toMatchObject({ kind: 'invalid', code: 'free_mail_domain' });
    }
    for (const d of ['', 'localhost', 'xyz', '*.xyz.com', 'a..com', '-xyz.com', 'xyz-.com', 'x y.com', 'user@xyz.com', '1.2.3.4', 'ex\u00e4mple.com', 42, null]) {
      expect(normaliseGroupDomain(d), String(d)).toMatchObject({ kind: 'invalid', code: 'invalid_email_domain' });
    }
  });

  it('matches only the exact domain, case-insensitively', () => {
    expect(emailMatchesDomain('Ana@XYZ.com', 'xyz.com')).toBe(true);
    for (const email of ['ana@xyz.com.evil.io', 'ana@evilxyz.com', 'ana@mail.xyz.com', 'xyz.com@evil.io', 'ana@xyz.co', 'xyz.com']) {
      expect(emailMatchesDomain(email, 'xyz.com'), email).toBe(false);
    }
    expect(emailDomain('"a@b"@xyz.com')).toBe('xyz.com');
  });

  it('only a verified email qualifies', () => {
    expect(qualifyingDomain({ email: 'ana@xyz.com', emailVerified: true })).toBe('xyz.com');
    expect(qualifyingDomain({ email: 'ana@xyz.com', emailVerified: false })).toBeNull();
    expect(qualifyingDomain(null)).toBeNull();
  });

  it('no email on another domain ever matches (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,10}$/);
    fc.assert(
      fc.property(label, label, fc.array(label, { minLength: 1, maxLength: 3 }), label, (local, prefix, rest, suffix) => {
        const domain = rest.join('.') + '.com';
        expect(emailMatchesDomain(`${local}@${domain}`, domain)).toBe(true);
        expect(emailMatchesDomain(`${local}@${prefix}${domain}`, domain)).toBe(false);
        expect(emailMatchesDomain(`${local}@${domain}.${suffix}`, domain)).toBe(false);
        expect(emailMatchesDomain(`${local}@${prefix}.${domain}`, domain)).toBe(false);
      }),
    );
  });
});
