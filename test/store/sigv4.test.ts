import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_SHA256, encodeKeyPath, SigV4Signer } from '../../src/store/sigv4.js';

// The example of AWS's "Signature Calculations for the Authorization Header" page for S3
// (GET Object with a Range header), with its published signature.
const AWS_EXAMPLE = {
  creds: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  date: new Date('2013-05-24T00:00:00Z'),
};

test('signs AWS\'s published GET Object example to its published signature', () => {
  const headers: Record<string, string> = { range: 'bytes=0-9' };
  new SigV4Signer('us-east-1').sign(
    { method: 'GET', host: 'examplebucket.s3.amazonaws.com', path: '/test.txt', query: '', headers, payloadSha256: EMPTY_SHA256 },
    AWS_EXAMPLE.creds,
    AWS_EXAMPLE.date,
  );
  assert.equal(
    headers['authorization'],
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
      'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
      'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  );
  assert.equal(headers['x-amz-date'], '20130524T000000Z');
  assert.equal(headers['x-amz-content-sha256'], 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('a session token is sent and signed; the signature depends on every signed part', () => {
  const sign = (over: { region?: string; path?: string; payload?: string; token?: string; date?: Date }) => {
    const headers: Record<string, string> = {};
    const creds = { ...AWS_EXAMPLE.creds, ...(over.token ? { sessionToken: over.token } : {}) };
    new SigV4Signer(over.region ?? 'us-east-1').sign(
      { method: 'PUT', host: 'h', path: over.path ?? '/b/k', query: '', headers, payloadSha256: over.payload ?? EMPTY_SHA256 },
      creds,
      over.date ?? AWS_EXAMPLE.date,
    );
    return headers;
  };
  const withToken = sign({ token: 'TOKEN' });
  assert.equal(withToken['x-amz-security-token'], 'TOKEN');
  assert.match(withToken['authorization']!, /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
  const base = sign({})['authorization'];
  for (const changed of [{ region: 'eu-west-1' }, { path: '/b/l' }, { payload: 'a'.repeat(64) }, { token: 'T' }, { date: new Date('2013-05-25T00:00:00Z') }]) {
    assert.notEqual(sign(changed)['authorization'], base, JSON.stringify(changed));
  }
});

test('keys are percent-encoded per segment as RFC 3986 wants, slashes kept', () => {
  assert.equal(encodeKeyPath('fs/chunks/ab/0123'), 'fs/chunks/ab/0123');
  assert.equal(encodeKeyPath("a b/c+d/e!'()*~._-/é"), "a%20b/c%2Bd/e%21%27%28%29%2A~._-/%C3%A9");
});
