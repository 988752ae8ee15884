import { describe, expect, it } from 'vitest';
import { isAllowedHost, isAllowedOrigin, isCanonicalLoopbackIPv4, splitHostPort } from './host-policy.js';

const loopbackPolicy = { allowedHosts: [], bindHost: '127.0.0.1' };

describe('Host header check', () => {
  it.each(['127.0.0.1', '127.0.0.1:9230', '127.255.0.9:1', '127.0.0.1:65535', 'localhost', 'localhost:5173', 'LOCALHOST:80', '[::1]', '[::1]:9230'])(
    'accepts %s',
    (host) => expect(isAllowedHost(host, loopbackPolicy)).toBe(true),
  );

  it.each([
    'localhost6',
    'localhost6:9230',
    '0177.0.0.1',
    '0x7f.0.0.1',
    '127.1',
    '127.0.1',
    '2130706433',
    '127.0.0.01',
    '127.000.0.1',
    '127.0.0.256',
    '10.0.2.555',
    '10.0.2.2',
    '192.168.1.5',
    'evil.com',
    'localhost.evil.com',
    'localhost.',
    '127.0.0.1.evil.com',
    '[::1',
    '::1',
    '[::ffff:127.0.0.1]',
    '127.0.0.1:',
    '127.0.0.1:99999',
    '127.0.0.1:80a',
    '',
    undefined,
  ])('refuses %s', (host) => expect(isAllowedHost(host, loopbackPolicy)).toBe(false));

  it('accepts allowedHosts entries: a bare name on any port, name:port only on that port', () => {
    const policy = { allowedHosts: ['devbox.local', 'tunnel.example:8080'], bindHost: '127.0.0.1' };
    expect(isAllowedHost('devbox.local', policy)).toBe(true);
    expect(isAllowedHost('DevBox.local:9230', policy)).toBe(true);
    expect(isAllowedHost('tunnel.example:8080', policy)).toBe(true);
    expect(isAllowedHost('tunnel.example:8081', policy)).toBe(false);
    expect(isAllowedHost('other.local', policy)).toBe(false);
  });

  it('accepts the exact non-loopback host the agent binds, and only that one', () => {
    expect(isAllowedHost('192.168.1.5:9230', { allowedHosts: [], bindHost: '192.168.1.5' })).toBe(true);
    expect(isAllowedHost('192.168.1.6:9230', { allowedHosts: [], bindHost: '192.168.1.5' })).toBe(false);
    expect(isAllowedHost('[fd00::2]:9230', { allowedHosts: [], bindHost: 'fd00::2' })).toBe(true);
  });
});

describe('Origin check', () => {
  it.each([
    undefined,
    'http://127.0.0.1:5173',
    'http://127.0.0.1',
    'http://127.9.8.7:1',
    'http://localhost:5173',
    'http://localhost',
    'http://[::1]:5173',
    'http://[::1]',
  ])('accepts %s', (origin) => expect(isAllowedOrigin(origin, [])).toBe(true));

  it.each([
    'https://evil.com',
    'http://evil.com',
    'http://localhost.evil.com',
    'http://0177.0.0.1:80',
    'http://127.1:80',
    'null',
    '',
    'file://',
    'http://localhost:5173/path',
    'ws://localhost:5173',
    'https://localhost:5173',
  ])('refuses %s', (origin) => expect(isAllowedOrigin(origin, [])).toBe(false));

  it('accepts exact allowedOrigins entries only', () => {
    expect(isAllowedOrigin('https://inspector.example.com', ['https://inspector.example.com'])).toBe(true);
    expect(isAllowedOrigin('https://inspector.example.com:444', ['https://inspector.example.com'])).toBe(false);
  });
});

describe('address parsing', () => {
  it('recognises canonical 127/8 only', () => {
    expect(isCanonicalLoopbackIPv4('127.0.0.1')).toBe(true);
    expect(isCanonicalLoopbackIPv4('128.0.0.1')).toBe(false);
    expect(isCanonicalLoopbackIPv4('127.0.0.-1')).toBe(false);
  });

  it('splits host and port', () => {
    expect(splitHostPort('[::1]:80')).toEqual({ hostname: '[::1]', port: '80' });
    expect(splitHostPort('a:1')).toEqual({ hostname: 'a', port: '1' });
    expect(splitHostPort('a')).toEqual({ hostname: 'a' });
    expect(splitHostPort(':80')).toBeUndefined();
    expect(splitHostPort('[::1]x')).toBeUndefined();
  });
});
