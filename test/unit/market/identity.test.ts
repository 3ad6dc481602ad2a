import assert from 'node:assert/strict';
import { generateSigningKey, IdentityError, ParticipantRegistry, publicKeyOf, signMessage, signedBytes } from '../../../lib/market/identity';

const order = {
  type: 'order', id: 'o-1', market: 'well-7', participant: 'alice', side: 'sell', quantityWh: 1000, priceMsatPerKwh: 30_000,
  deliveryStart: '2026-12-01T06:00:00Z', deliveryEnd: '2026-12-01T06:15:00Z', createdAt: '2026-12-01T05:50:00Z', nonce: 'n0000001',
};

describe('market identity', () => {
  const alice = generateSigningKey();
  const mallory = generateSigningKey();
  const registry = new ParticipantRegistry([{ id: 'alice', publicKey: alice.publicKeyHex, zone: 'z1' }]);

  it('derives the public key from the private seed', () => {
    assert.equal(publicKeyOf(alice.privateKeyHex), alice.publicKeyHex);
    assert.match(alice.privateKeyHex, /^[0-9a-f]{64}$/);
  });

  it('signs the canonical JSON of every field but sig, whatever the key order', () => {
    const signed = signMessage(order, alice.privateKeyHex);
    assert.match(signed.sig, /^[0-9a-f]{128}$/);
    assert.ok(registry.verify(signed));
    const reordered = Object.fromEntries(Object.entries(signed).reverse()) as typeof signed;
    assert.ok(registry.verify(reordered));
    assert.equal(signedBytes(signed).toString(), signedBytes(order).toString());
  });

  it('refuses a changed field, an added field, another key, an unknown participant and a missing signature', () => {
    const signed = signMessage(order, alice.privateKeyHex);
    assert.equal(registry.verify({ ...signed, priceMsatPerKwh: 1 }), false);
    assert.equal(registry.verify({ ...signed, extra: 'x' } as typeof signed), false);
    assert.equal(registry.verify(signMessage(order, mallory.privateKeyHex)), false);
    assert.equal(registry.verify({ ...signed, participant: 'bob' }), false);
    const { sig: _sig, ...unsigned } = signed;
    assert.equal(registry.verify(unsigned), false);
  });

  it('checks registry entries against the Participant contract, with the reason', () => {
    assert.throws(() => new ParticipantRegistry([{ id: 'bob', publicKey: 'xyz' }]), (err: IdentityError) => err.code === 'REGISTRY_INVALID' && /publicKey must match/.test(err.message));
    assert.throws(() => ParticipantRegistry.fromJson('{"id":"bob"}'), /must be a JSON array/);
    assert.equal(ParticipantRegistry.fromJson(JSON.stringify(registry.list())).get('alice')?.zone, 'z1');
  });
});
