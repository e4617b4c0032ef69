import { describe, expect, it } from 'vitest';
import {
  deriveWebhookSecret,
  newSecretSalt,
  parseSignatureHeader,
  signatureHeader,
  verifySignature,
} from '../../worker/domain/webhook-signature';
import { hmacSha256, toHex } from '../../worker/domain/crypto';
import { verifyWebhook } from '../../docs/examples/verify-webhook.mjs';

const body = JSON.stringify({ id: 'evt_1', type: 'subscription.activated', created_at: '2026-12-01T00:00:00.000Z', data: { object: { id: 'sub_1' } } });

describe('webhook secrets', () => {
  it('derives a stable whsec_ secret per endpoint and salt', async () => {
    const a = await deriveWebhookSecret('k', 'whe_1', 'salt1');
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(await deriveWebhookSecret('k', 'whe_1', 'salt1')).toBe(a);
    expect(await deriveWebhookSecret('k', 'whe_1', 'salt2')).not.toBe(a);
    expect(await deriveWebhookSecret('k', 'whe_2', 'salt1')).not.toBe(a);
    expect(await deriveWebhookSecret('other', 'whe_1', 'salt1')).not.toBe(a);
    expect(newSecretSalt()).not.toBe(newSecretSalt());
  });
});

describe('signatures', () => {
  it('signs t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', async () => {
    const header = await signatureHeader('whsec_test', 1_700_000_000, body);
    const expected = toHex(await hmacSha256('whsec_test', `1700000000.${body}`));
    expect(header).toBe(`t=1700000000,v1=${expected}`);
    expect(parseSignatureHeader(header)).toEqual({ timestamp: 1_700_000_000, signatures: [expected] });
  });

  it('verifies, and refuses a changed body, another secret, an old timestamp and junk', async () => {
    const t = 1_700_000_000;
    const header = await signatureHeader('whsec_test', t, body);
    expect(await verifySignature('whsec_test', header, body, { nowSeconds: t + 10 })).toEqual({ kind: 'valid', timestamp: t });
    expect(await verifySignature('whsec_test', header, body.replace('sub_1', 'sub_2'), { nowSeconds: t })).toMatchObject({ reason: 'no_matching_signature' });
    expect(await verifySignature('whsec_other', header, body, { nowSeconds: t })).toMatchObject({ reason: 'no_matching_signature' });
    expect(await verifySignature('whsec_test', header, body, { nowSeconds: t + 301 })).toMatchObject({ reason: 'timestamp_outside_tolerance' });
    expect(await verifySignature('whsec_test', 'v1=abc', body, { nowSeconds: t })).toMatchObject({ reason: 'malformed_header' });
    // a second v1 (as during a rotation) is accepted when one matches
    const two = `${header},v1=${'0'.repeat(64)}`;
    expect(await verifySignature('whsec_test', two, body, { nowSeconds: t })).toMatchObject({ kind: 'valid' });
  });
});

describe('docs/examples/verify-webhook.mjs (the snippet of docs/integration.md)', () => {
  it('accepts what the worker signs and returns the event', async () => {
    const secret = await deriveWebhookSecret('k', 'whe_doc', 'salt');
    const now = Math.floor(Date.now() / 1000);
    const header = await signatureHeader(secret, now, body);
    const event = await verifyWebhook(body, header, secret);
    expect(event).toMatchObject({ id: 'evt_1', type: 'subscription.activated' });
  });

  it('throws on a tampered body, a wrong secret, a missing header and a replay', async () => {
    const secret = 'whsec_doc';
    const t = 1_700_000_000;
    const header = await signatureHeader(secret, t, body);
    await expect(verifyWebhook(body, header, secret, 300, t)).resolves.toMatchObject({ id: 'evt_1' });
    await expect(verifyWebhook(`${body} `, header, secret, 300, t)).rejects.toThrow(/does not match/);
    await expect(verifyWebhook(body, header, 'whsec_wrong', 300, t)).rejects.toThrow(/does not match/);
    await expect(verifyWebhook(body, null, secret, 300, t)).rejects.toThrow(/missing/);
    await expect(verifyWebhook(body, header, secret, 300, t + 3600)).rejects.toThrow(/tolerance/);
  });
});
